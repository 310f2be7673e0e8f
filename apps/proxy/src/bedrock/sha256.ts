import { createHash, createHmac } from "node:crypto";
import type { Checksum, SourceData } from "@smithy/types";

declare const Bun: { CryptoHasher: new (algorithm: "sha256", key?: string | Uint8Array) => NativeHasher } | undefined;

interface NativeHasher {
  update(data: Uint8Array | string): NativeHasher;
  digest(): Uint8Array;
  digest(encoding: "hex"): string;
}

/**
 * SHA-256 / HMAC-SHA256 on the runtime's native crypto. Bun's own hasher where there is one: node:crypto's Hash
 * objects cost the gateway ~5 µs more CPU per call on Bun (signing makes four of them; bench/README.md).
 */
const hasher: (key?: string | Uint8Array) => NativeHasher =
  typeof Bun !== "undefined"
    ? (key) => (key === undefined ? new Bun!.CryptoHasher("sha256") : new Bun!.CryptoHasher("sha256", key))
    : (key) => (key === undefined ? createHash("sha256") : createHmac("sha256", key));

/** The SigV4 signer's hash: the pure-JS default costs milliseconds on large bodies, and this runs for every request. */
export class NativeSha256 implements Checksum {
  private hash: NativeHasher;
  private readonly key: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.key = secret === undefined || typeof secret === "string" || secret instanceof Uint8Array ? secret : toBytes(secret);
    this.hash = hasher(this.key);
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    // A Buffer is a Uint8Array: no copy.
    return this.hash.digest();
  }
  reset(): void {
    this.hash = hasher(this.key);
  }
}

export function sha256Hex(data: Uint8Array): string {
  return hasher().update(data).digest("hex");
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}
