import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { Checksum, SourceData } from "@smithy/types";

/**
 * SHA-256 for the SigV4 signer on the runtime's native crypto: the pure-JS hash costs milliseconds
 * on large bodies, and this runs for every request.
 */
export class NativeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    // A Buffer is a Uint8Array: no copy.
    return this.hash.digest();
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const key = typeof this.secret === "string" ? this.secret : new Uint8Array(this.secret as ArrayBuffer);
    return createHmac("sha256", key);
  }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
