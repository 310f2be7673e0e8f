/**
 * Recomputes a SigV4 signature with @smithy/signature-v4 itself, so path
 * double-encoding, `..` normalisation and query canonicalisation are exactly
 * what the AWS SDKs produce. We go through the protected canonical-request
 * hooks instead of `sign(request)` because `sign(request)` rewrites
 * x-amz-date/date/authorization and drops "unsignable" headers; a verifier has
 * to use the header set and date the client actually signed.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { ALGORITHM_IDENTIFIER, SignatureV4 } from "@smithy/signature-v4";

export interface CanonicalInput {
  method: string;
  rawPath: string;
  query: Record<string, string | string[]>;
  canonicalHeaders: Record<string, string>;
  payloadHash: string;
  longDate: string;
  scope: string;
  signingDate: Date;
  region: string;
}

export interface CanonicalResult {
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
}

export class CanonicalSigner extends SignatureV4 {
  constructor(accessKeyId: string, secretAccessKey: string, service: string) {
    // The region is a placeholder: each computation passes the request's own scope region.
    super({ service, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, sha256: Sha256 });
  }

  async compute(input: CanonicalInput): Promise<CanonicalResult> {
    const request = new HttpRequest({
      method: input.method,
      path: input.rawPath,
      query: input.query,
      headers: input.canonicalHeaders,
    });
    const canonicalRequest = this.createCanonicalRequest(request, input.canonicalHeaders, input.payloadHash);
    const stringToSign = await this.createStringToSign(input.longDate, input.scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    const signature = await this.sign(stringToSign, { signingDate: input.signingDate, signingRegion: input.region });
    return { signature, canonicalRequest, stringToSign };
  }
}
