import { createHash, createHmac } from "node:crypto";

/** SHA-256 (or HMAC-SHA256, given a key) as the runtime computes it natively. */
export interface NativeHasher {
  update(data: Uint8Array | string): NativeHasher;
  digest(): Uint8Array;
  digest(encoding: "hex"): string;
}

/**
 * What differs between the runtimes the gateway runs on, below the web-standard APIs the rest of it uses.
 * Chosen once, when this module loads; serving (`serve.ts`) and Bun's fetch limit (`bun-fetch-limit.ts`) are
 * the other two runtime edges, used only by the entry point, and `upstream-h2.ts` opens the full-duplex HTTP/2
 * exchanges of bidirectional streams.
 */
export interface Runtime {
  name: "bun" | "deno" | "node";
  hasher(key?: string | Uint8Array): NativeHasher;
  /** Options every upstream fetch carries. */
  fetchOptions: RequestInit;
  /** Why this runtime's server cannot carry a bidirectional stream to the AWS SDKs; null where it can. */
  bidirectionalStreamsUnsupported: string | null;
}

interface BunGlobal {
  CryptoHasher: new (algorithm: "sha256", key?: string | Uint8Array) => NativeHasher;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;

/**
 * Measured on Deno 2.9.6, h2c and TLS alike: when a client closes its HTTP/2 session gracefully (GOAWAY with last
 * stream id 0) while a stream is open, Deno.serve resets that stream (RST_STREAM CANCEL, ~4 ms later) instead of
 * finishing it. The AWS SDK for JavaScript does exactly that for every event stream (an isolated session, closed
 * once the response headers arrive), so a speech session would be cut after its first answer. The bug is the `h2`
 * crate's (hyperium/h2#885, fixed in h2 0.4.14); Deno's `node:http2` server does not have it.
 */
const DENO_GOAWAY =
  "InvokeModelWithBidirectionalStream is not served by this gateway on Deno: Deno's HTTP/2 server resets an open stream when the client closes its session gracefully (GOAWAY), which the AWS SDKs do as soon as an event stream's response starts, so the session would be cut after its first answer. Run the gateway on Bun for speech-to-speech models.";

const nodeCryptoHasher = (key?: string | Uint8Array): NativeHasher => (key === undefined ? createHash("sha256") : createHmac("sha256", key));

export const runtime: Runtime = bun
  ? {
      name: "bun",
      // node:crypto's Hash objects cost the gateway ~5 µs more CPU per call on Bun (signing makes four; bench/README.md).
      hasher: (key) => (key === undefined ? new bun.CryptoHasher("sha256") : new bun.CryptoHasher("sha256", key)),
      // Bun decodes gzip but keeps content-encoding; relaying bytes untouched needs it off.
      fetchOptions: { decompress: false } as RequestInit,
      bidirectionalStreamsUnsupported: null,
    }
  : {
      name: "Deno" in globalThis ? "deno" : "node",
      hasher: nodeCryptoHasher,
      fetchOptions: {},
      bidirectionalStreamsUnsupported: "Deno" in globalThis ? DENO_GOAWAY : null,
    };
