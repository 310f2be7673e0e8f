/**
 * Shared by the minimal forwarders: where the emulator is (the bench sets the same variables as for the gateway)
 * and a SigV4 signer for it on the runtime's native crypto.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { NativeSha256, sha256Hex } from "../../../apps/proxy/src/bedrock/sha256.ts";

export const upstream = new URL(process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME!);
const signer = new SignatureV4({
  service: "bedrock",
  region: "us-east-1",
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! },
  sha256: NativeSha256,
  uriEscapePath: true,
});

/** `/bedrock/<path>` of the incoming request → the signed headers for `<path>` on the emulator (host left out). */
export async function signFor(request: Request, body: Uint8Array): Promise<{ path: string; headers: Record<string, string> }> {
  const path = new URL(request.url).pathname.slice("/bedrock".length);
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: upstream.hostname,
    port: Number(upstream.port),
    path,
    query: {},
    headers: { host: upstream.host, "content-type": "application/json", "x-amz-content-sha256": sha256Hex(body) },
    body,
  });
  const { host: _host, ...headers } = signed.headers;
  return { path, headers };
}

