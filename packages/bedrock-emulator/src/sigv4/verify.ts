/**
 * Strict SigV4 verification as AWS does it for service `bedrock`.
 * Returns the signing region on success; throws AwsError otherwise.
 */
import { getCanonicalHeaders } from "@smithy/signature-v4";
import { AwsError } from "../errors.ts";
import { formatAmzDate, parseAmzDate } from "./amz-date.ts";
import { parseAuthorization } from "./authorization.ts";
import { CanonicalSigner } from "./canonical-signer.ts";
import { parseQuery } from "./query.ts";

export interface VerifyConfig {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  regions?: string[];
  nowMs: number;
}

export interface SignedRequestParts {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Headers;
  body: Uint8Array;
}

const REGION_SHAPE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const MAX_SKEW_MS = 5 * 60 * 1000;
const SERVICE = "bedrock";

const invalidSignature = (message: string) => new AwsError(403, "InvalidSignatureException", message);
const unrecognizedClient = () =>
  new AwsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");

// Signing-key derivation is cached inside SignatureV4 per date/region; keep one signer per credential pair.
const signers = new Map<string, CanonicalSigner>();
function signerFor(accessKeyId: string, secret: string): CanonicalSigner {
  const key = `${accessKeyId}\n${secret}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = new CanonicalSigner(accessKeyId, secret);
    signers.set(key, signer);
  }
  return signer;
}

/** Parses just the scope region, for recording requests that fail verification. */
export function scopeRegion(authorization: string | null): string | null {
  const m = /Credential=[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\//.exec(authorization ?? "");
  return m ? m[1]! : null;
}

export async function verifySigV4(req: SignedRequestParts, cfg: VerifyConfig): Promise<string> {
  const auth = parseAuthorization(req.headers.get("authorization"));
  if (auth.accessKeyId !== cfg.accessKeyId) throw unrecognizedClient();
  if (auth.terminator !== "aws4_request") {
    throw invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`);
  }
  if (auth.service !== SERVICE) {
    throw invalidSignature(`Credential should be scoped to correct service: '${SERVICE}'. `);
  }
  const regionOk = cfg.regions ? cfg.regions.includes(auth.region) : REGION_SHAPE.test(auth.region);
  if (!regionOk) throw invalidSignature(`Credential should be scoped to a valid region. `);

  const signed = new Set(auth.signedHeaders);
  if (!signed.has("host")) {
    throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const longDate = req.headers.get("x-amz-date");
  if (longDate === null) {
    throw new AwsError(403, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (!signed.has("x-amz-date")) throw invalidSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  const signingDate = parseAmzDate(longDate);
  if (signingDate === null) throw invalidSignature(`Date must be in ISO-8601 'basic format'. Got '${longDate}'.`);
  if (auth.date !== longDate.slice(0, 8)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${longDate.slice(0, 8)}', from '${longDate}'.`);
  }
  const skew = signingDate.getTime() - cfg.nowMs;
  if (skew < -MAX_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${longDate} is now earlier than ${formatAmzDate(cfg.nowMs - MAX_SKEW_MS)} (${formatAmzDate(cfg.nowMs)} - 5 min.)`);
  }
  if (skew > MAX_SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${longDate} is still later than ${formatAmzDate(cfg.nowMs + MAX_SKEW_MS)} (${formatAmzDate(cfg.nowMs)} + 5 min.)`);
  }

  const token = req.headers.get("x-amz-security-token");
  if (cfg.sessionToken !== undefined || token !== null) {
    // A token must be the configured one AND covered by the signature, otherwise it could be swapped in transit.
    if (token !== cfg.sessionToken || !signed.has("x-amz-security-token")) throw unrecognizedClient();
  }

  const payloadHash = await sha256Hex(req.body);
  const declaredHash = req.headers.get("x-amz-content-sha256");
  if (declaredHash !== null && declaredHash !== payloadHash) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const received: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers.get(name);
    // A header named in SignedHeaders but absent can never match what the client signed.
    if (value === null) throw mismatch(`Signed header '${name}' is missing from the request.`);
    received[name] = value;
  }
  // signableHeaders = every signed name, so smithy keeps even "always unsignable" ones a client chose to sign.
  const canonicalHeaders = getCanonicalHeaders({ headers: received } as never, undefined, signed);

  const signer = signerFor(cfg.accessKeyId, cfg.secretAccessKey);
  const result = await signer.compute({
    method: req.method,
    rawPath: req.rawPath,
    query: parseQuery(req.rawQuery),
    canonicalHeaders,
    payloadHash,
    longDate,
    scope: `${auth.date}/${auth.region}/${auth.service}/aws4_request`,
    signingDate,
    region: auth.region,
  });
  if (!timingSafeEqualHex(result.signature, auth.signature)) {
    throw mismatch(
      `\n\nThe Canonical String for this request should have been\n'${result.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${result.stringToSign}'\n`,
    );
  }
  return auth.region;
}

function mismatch(detail: string): AwsError {
  return invalidSignature(
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details." +
      detail,
  );
}

async function sha256Hex(body: Uint8Array): Promise<string> {
  // WebCrypto is native on Bun and Deno and much faster than the pure-JS hash for large bodies.
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body as BufferSource));
  let hex = "";
  for (let i = 0; i < digest.length; i++) hex += digest[i]!.toString(16).padStart(2, "0");
  return hex;
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
