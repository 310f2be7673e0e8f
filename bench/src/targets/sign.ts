/**
 * Pre-signs requests for the emulator with its own credentials, for the two targets that do not sign: the
 * emulator called directly, and nginx (which forwards bytes and headers, so a request signed for the
 * emulator's host stays valid through it). Signatures are good for 5 minutes; targets re-sign per scenario.
 *
 * @smithy/signature-v4 is resolved from the workspace (the emulator and the proxy depend on it); it is not yet
 * declared in bench/package.json because the shared lockfile is not ours to change.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "@bedrock-gateway/bedrock-emulator";

class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: string | Uint8Array) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret as Uint8Array);
  }
  update(data: Uint8Array | string) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {
    this.h = this.fresh();
  }
}

const signer = new SignatureV4({
  service: "bedrock",
  region: "us-east-1",
  credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
  sha256: Sha256 as never,
  uriEscapePath: true,
});

/** Headers (host included) of a request to `hostPort` + `rawPath`, signed as the emulator will verify it. */
export async function signForEmulator(hostPort: string, rawPath: string, body: Uint8Array, contentType = "application/json"): Promise<Record<string, string>> {
  const [hostname, port] = hostPort.split(":");
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: hostname!,
    port: port ? Number(port) : undefined,
    path: rawPath,
    query: {},
    headers: {
      host: hostPort,
      "content-type": contentType,
      "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
    },
    body,
  });
  return signed.headers as Record<string, string>;
}
