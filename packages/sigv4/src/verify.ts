import { isRegion } from "@bedrock-gateway/protocol";
/**
 * Strict SigV4 verification as AWS does it for one service (Bedrock's runtimes sign as `bedrock`).
 * Used by the gateway for the credentials it issues, and by the emulator to play AWS.
 */
import { getCanonicalHeaders } from "@smithy/signature-v4";
import { formatAmzDate, parseAmzDate } from "./amz-date.ts";
import { parseAuthorization, type ParsedAuthorization } from "./authorization.ts";
import { CanonicalSigner } from "./canonical-signer.ts";
import { invalidSignature, incompleteSignature, SigV4Error, unrecognizedClient } from "./errors.ts";
import { parseQuery } from "./query.ts";
import { timingSafeEqualHex } from "./timing-safe.ts";
import { STREAMING_EVENTS_PAYLOAD } from "./event-chain.ts";

export interface SigningSecret {
  secretAccessKey: string;
  /** When set, the request must carry this `x-amz-security-token`, covered by the signature. */
  sessionToken?: string;
}

export interface VerifyOptions {
  /** The secret behind an access key id, or null when the id is unknown. */
  lookup(accessKeyId: string): SigningSecret | null | Promise<SigningSecret | null>;
  nowMs: number;
  service?: string;
  /** Allowed scope regions; default: anything shaped like an AWS region. */
  regions?: string[];
}

export interface SignedRequestParts {
  method: string;
  /** The path exactly as received on the wire (percent-encoding untouched). */
  rawPath: string;
  rawQuery: string;
  headers: Headers;
  /**
   * The body, or `"events"` for a request whose body is a stream of events signed one by one
   * (InvokeModelWithBidirectionalStream): its payload hash is then `STREAMING-AWS4-HMAC-SHA256-EVENTS`, which the
   * client must also send in `x-amz-content-sha256`, and each event is verified on its own (event-chain.ts).
   */
  body: Uint8Array | "events";
  /**
   * The request's authority: HTTP/2's `:authority` pseudo-header (never part of `headers`), or the Host header.
   * Defaults to the Host header. Over HTTP/2 the AWS SDKs sign `:authority` instead of `host`.
   */
  authority?: string | null;
}

export interface Verified {
  accessKeyId: string;
  region: string;
  /** The request's signature: the first link of a signed event stream's chain. */
  signature: string;
}

const AUTHORITY = ":authority";
const MAX_SKEW_MS = 5 * 60 * 1000;

// Signing-key derivation is cached inside SignatureV4 per date/region; keep one signer per credential pair.
const signers = new Map<string, CanonicalSigner>();
function signerFor(accessKeyId: string, secret: string, service: string): CanonicalSigner {
  const key = `${service}\n${accessKeyId}\n${secret}`;
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size > 10_000) signers.clear();
    signer = new CanonicalSigner(accessKeyId, secret, service);
    signers.set(key, signer);
  }
  return signer;
}

/** Parses just the access key id, scope region and service, without verifying anything. */
export function scopeOf(authorization: string | null): { accessKeyId: string; region: string; service: string } | null {
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]*)\/[^/,\s]*\/([^/,\s]*)\/([^/,\s]*)\//.exec(authorization ?? "");
  return m ? { accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : null;
}

export interface CheckedHeaders {
  auth: ParsedAuthorization;
  longDate: string;
  signingDate: Date;
  signed: Set<string>;
}

/**
 * Everything that can be checked from the headers alone, before a lookup or a byte of the body: the
 * Authorization header's shape, the scope (terminator, service, region), the signed-header rules, the date
 * and its skew. A forged header fails here without costing a body read.
 */
export function checkSigV4Headers(headers: Headers, options: Pick<VerifyOptions, "nowMs" | "service" | "regions">): CheckedHeaders {
  const service = options.service ?? "bedrock";
  const auth = parseAuthorization(headers.get("authorization"));
  if (auth.terminator !== "aws4_request") {
    throw invalidSignature(`Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`);
  }
  if (auth.service !== service) throw invalidSignature(`Credential should be scoped to correct service: '${service}'. `);
  const regionOk = options.regions ? options.regions.includes(auth.region) : isRegion(auth.region);
  if (!regionOk) throw invalidSignature(`Credential should be scoped to a valid region. `);

  const signed = new Set(auth.signedHeaders);
  if (!signed.has("host") && !signed.has(AUTHORITY)) throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const longDate = headers.get("x-amz-date");
  if (longDate === null) throw incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (!signed.has("x-amz-date")) throw invalidSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  const signingDate = parseAmzDate(longDate);
  if (signingDate === null) throw invalidSignature(`Date must be in ISO-8601 'basic format'. Got '${longDate}'.`);
  if (auth.date !== longDate.slice(0, 8)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${longDate.slice(0, 8)}', from '${longDate}'.`);
  }
  checkSkew(signingDate.getTime(), longDate, options.nowMs);
  return { auth, longDate, signingDate, signed };
}

/** Resolves to the verified identity; throws SigV4Error with AWS's error type and message otherwise. */
export async function verifySigV4(req: SignedRequestParts, options: VerifyOptions): Promise<Verified> {
  const service = options.service ?? "bedrock";
  const { auth, longDate, signingDate, signed } = checkSigV4Headers(req.headers, options);

  // Only after the cheap checks: the lookup may hit storage.
  const secret = await options.lookup(auth.accessKeyId);
  if (!secret) throw unrecognizedClient();
  const token = req.headers.get("x-amz-security-token");
  if (secret.sessionToken !== undefined || token !== null) {
    // A token must be the expected one AND covered by the signature, otherwise it could be swapped in transit.
    if (token !== secret.sessionToken || !signed.has("x-amz-security-token")) throw unrecognizedClient();
  }

  const declaredHash = req.headers.get("x-amz-content-sha256");
  const payloadHash = req.body === "events" ? STREAMING_EVENTS_PAYLOAD : await sha256Hex(req.body);
  if (req.body === "events" ? declaredHash !== payloadHash : declaredHash !== null && declaredHash !== payloadHash) {
    throw invalidSignature(
      req.body === "events"
        ? `An event stream request must carry 'x-amz-content-sha256: ${STREAMING_EVENTS_PAYLOAD}'.`
        : "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }

  const received: Record<string, string> = {};
  const authority = req.authority ?? req.headers.get("host");
  for (const name of auth.signedHeaders) {
    // Over HTTP/2 `:authority` stands for Host (RFC 9113 §8.3.1): a signed `host` without a Host header is the authority.
    const value = name === AUTHORITY ? authority : name === "host" ? (req.headers.get("host") ?? authority) : req.headers.get(name);
    // A header named in SignedHeaders but absent can never match what the client signed.
    if (value === null) throw mismatch(`Signed header '${name}' is missing from the request.`);
    received[name] = value;
  }
  // signableHeaders = every signed name, so smithy keeps even "always unsignable" ones a client chose to sign.
  const canonicalHeaders = getCanonicalHeaders({ headers: received } as never, undefined, signed);

  const result = await signerFor(auth.accessKeyId, secret.secretAccessKey, service).compute({
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
    throw mismatch(`\n\nThe Canonical String for this request should have been\n'${result.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${result.stringToSign}'\n`);
  }
  return { accessKeyId: auth.accessKeyId, region: auth.region, signature: auth.signature };
}

function checkSkew(signedAtMs: number, longDate: string, nowMs: number): void {
  const skew = signedAtMs - nowMs;
  if (skew < -MAX_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${longDate} is now earlier than ${formatAmzDate(nowMs - MAX_SKEW_MS)} (${formatAmzDate(nowMs)} - 5 min.)`);
  }
  if (skew > MAX_SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${longDate} is still later than ${formatAmzDate(nowMs + MAX_SKEW_MS)} (${formatAmzDate(nowMs)} + 5 min.)`);
  }
}

function mismatch(detail: string): SigV4Error {
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
