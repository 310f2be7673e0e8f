import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { parseQuery } from "@bedrock-gateway/sigv4";
import { NativeSha256, sha256Hex } from "./sha256.ts";

export interface UpstreamRequest {
  method: string;
  url: URL;
  /** The path exactly as it goes on the wire (percent-encoded as the client sent it). */
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** Signs for both Bedrock services: they share the SigV4 service name `bedrock`. */
export interface Signer {
  sign(request: UpstreamRequest, region: string): Promise<Record<string, string>>;
}

export function createSigner(credentials: AwsCredentialIdentityProvider): Signer {
  const signers = new Map<string, SignatureV4>();
  const signerFor = (region: string) => {
    let signer = signers.get(region);
    if (!signer) {
      // uriEscapePath double-encodes the path as AWS does for these services (`%3A` is signed as `%253A`).
      signer = new SignatureV4({ service: "bedrock", region, credentials, sha256: NativeSha256, uriEscapePath: true });
      signers.set(region, signer);
    }
    return signer;
  };
  return {
    async sign(request, region) {
      const body = request.body ?? new Uint8Array(0);
      const signed = await signerFor(region).sign({
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        port: request.url.port ? Number(request.url.port) : undefined,
        path: request.rawPath,
        // Decoded as AWS decodes it (`+` stays a plus); the signer re-encodes.
        query: parseQuery(request.rawQuery),
        // The payload hash is precomputed natively; the signer would otherwise hash the body again in JS.
        headers: { ...request.headers, host: request.url.host, "x-amz-content-sha256": sha256Hex(body) },
        body,
      });
      return signed.headers;
    },
  };
}
