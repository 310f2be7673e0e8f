import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { eventChainSigner, type EventChainSigner, parseQuery, STREAMING_EVENTS_PAYLOAD } from "@bedrock-gateway/sigv4";
import { boundedMemo } from "./bounded-memo.ts";
import { NativeSha256, sha256Hex } from "./sha256.ts";

export interface UpstreamRequest {
  method: string;
  /** Bedrock's origin (scheme, host, port): what the signature covers besides path, query, headers and body. */
  origin: URL;
  /** The path exactly as it goes on the wire (percent-encoded as the client sent it). */
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  /** The body, or `"events"`: a stream of events signed one by one (signed with STREAMING-AWS4-HMAC-SHA256-EVENTS). */
  body: Uint8Array | null | "events";
}

/** Signs for both Bedrock services: they share the SigV4 service name `bedrock`. */
export interface Signer {
  sign(request: UpstreamRequest, region: string): Promise<Record<string, string>>;
  /** Signs a request's events, chained from its signature (`seedSignature`), with the same credentials. */
  eventSigner(region: string, seedSignature: string): EventChainSigner;
}

export function createSigner(credentials: AwsCredentialIdentityProvider): Signer {
  // uriEscapePath double-encodes the path as AWS does for these services (`%3A` is signed as `%253A`).
  const signerFor = boundedMemo((region) => new SignatureV4({ service: "bedrock", region, credentials, sha256: NativeSha256, uriEscapePath: true }));
  return {
    async sign(request, region) {
      const events = request.body === "events";
      const body = events ? undefined : (request.body as Uint8Array | null) ?? new Uint8Array(0);
      const signed = await signerFor(region).sign({
        method: request.method,
        protocol: request.origin.protocol,
        hostname: request.origin.hostname,
        port: request.origin.port ? Number(request.origin.port) : undefined,
        path: request.rawPath,
        // Decoded as AWS decodes it (`+` stays a plus); the signer re-encodes.
        query: parseQuery(request.rawQuery),
        // The payload hash is precomputed natively; the signer would otherwise hash the body again in JS.
        headers: { ...request.headers, host: request.origin.host, "x-amz-content-sha256": body ? sha256Hex(body) : STREAMING_EVENTS_PAYLOAD },
        body,
      });
      return signed.headers;
    },
    eventSigner: (region, seedSignature) => eventChainSigner({ credentials, region, seedSignature, sha256: NativeSha256 }),
  };
}
