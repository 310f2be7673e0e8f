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
}

interface BunGlobal {
  CryptoHasher: new (algorithm: "sha256", key?: string | Uint8Array) => NativeHasher;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;

const nodeCryptoHasher = (key?: string | Uint8Array): NativeHasher => (key === undefined ? createHash("sha256") : createHmac("sha256", key));

export const runtime: Runtime = bun
  ? {
      name: "bun",
      // node:crypto's Hash objects cost the gateway ~5 µs more CPU per call on Bun (signing makes four; bench/README.md).
      hasher: (key) => (key === undefined ? new bun.CryptoHasher("sha256") : new bun.CryptoHasher("sha256", key)),
      // Bun decodes gzip but keeps content-encoding; relaying bytes untouched needs it off.
      fetchOptions: { decompress: false } as RequestInit,
    }
  : {
      name: "Deno" in globalThis ? "deno" : "node",
      hasher: nodeCryptoHasher,
      fetchOptions: {},
    };
