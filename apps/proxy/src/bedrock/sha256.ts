import type { Checksum, SourceData } from "@smithy/types";
import { runtime, type NativeHasher } from "../runtime/runtime.ts";

// SHA-256 / HMAC-SHA256 on the runtime's native crypto (Bun's own hasher there: cheaper than node:crypto's).
const hasher = runtime.hasher;

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
