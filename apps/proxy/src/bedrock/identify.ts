import type { AuthResult, Authenticator } from "../auth/authenticator.ts";
import { extractKey } from "../auth/extract-key.ts";
import type { GatewaySigV4 } from "../auth/sigv4-credentials.ts";
import type { BedrockCall } from "./call.ts";
import { awsError, errors } from "./errors.ts";
import { parseRawTarget, pathStartOf } from "./raw-path.ts";
import { requestId } from "./request-id.ts";
import { BodyTooLarge, BodyTooSlow, readBodyWithin, type BodyPace } from "./read-body.ts";
import { isRegion } from "./region.ts";
import type { RouteTable } from "./route-table.ts";

export const BEDROCK_PREFIX = "/bedrock";

export interface IdentifyOptions {
  defaultRegion: string;
  maxBodyBytes: number;
  /** How fast a body must arrive (default DEFAULT_BODY_PACE). */
  bodyPace?: BodyPace;
  routes: RouteTable;
  authenticate: Authenticator;
  /** Requests signed with gateway-issued AWS credentials (and no key header) are verified here instead. */
  gatewaySigV4?: GatewaySigV4;
}

export type Identified = { ok: true; call: BedrockCall; readBody: () => Promise<Uint8Array | null> } | { ok: false; response: Response };

/**
 * First step of every /bedrock request: which operation, on which service, for whom, in which region.
 * Everything refused here is refused before a byte goes upstream and before any plugin runs.
 */
export function createIdentify(options: IdentifyOptions) {
  const { routes, authenticate, gatewaySigV4 } = options;
  const refuse = (response: Response): Identified => ({ ok: false, response });

  return async function identify(request: Request, startedAt: number): Promise<Identified> {
    const parsed = parseRawTarget(request.url, BEDROCK_PREFIX);
    if (!parsed.ok) return refuse(errors.validation(`Invalid Bedrock path: ${parsed.reason}.`));
    const target = parsed.target;
    const route = routes.resolve(request.method, target.segments);
    if (!route) return refuse(errors.unknownOperation(`Unknown Bedrock route: /${target.segments[0]}. See /openapi.json for the operations the gateway serves.`));

    // Read at most once: gateway SigV4 needs the body to verify, everything else reads it after admission.
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    let bodyRead: Promise<Uint8Array | null> | undefined;
    const readBody = () => (bodyRead ??= hasBody ? readBodyWithin(request, options.maxBodyBytes, options.bodyPace) : Promise.resolve(null));

    // An explicit key header wins; otherwise a signature made with gateway credentials is verified as AWS would.
    const key = extractKey(request.headers);
    let auth: AuthResult;
    if (key === null && gatewaySigV4?.claims(request.headers)) {
      let body: Uint8Array | null;
      try {
        body = await readBody();
      } catch (error) {
        if (error instanceof BodyTooLarge) return refuse(errors.tooLarge(error.message));
        if (error instanceof BodyTooSlow) return refuse(errors.requestTimeout(error.message));
        throw error;
      }
      auth = await gatewaySigV4.authenticate({
        method: request.method,
        rawPath: BEDROCK_PREFIX + target.path,
        rawQuery: target.query,
        headers: request.headers,
        // Over HTTP/2 the SDKs sign `:authority`; Deno then has no Host header and keeps it in the URL only.
        authority: request.headers.get("host") ?? authorityOf(request.url),
        body: body ?? new Uint8Array(0),
      });
    } else {
      auth = await authenticate(key);
    }
    if (!auth.ok) return refuse(awsError(auth.status, auth.type, auth.message));

    const regionHeader = request.headers.get("x-bedrock-region");
    if (regionHeader !== null && !isRegion(regionHeader)) {
      return refuse(errors.validation(`x-bedrock-region is not an AWS region: ${JSON.stringify(regionHeader.slice(0, 40))}.`));
    }

    const call: BedrockCall = {
      requestId: requestId(startedAt),
      startedAt,
      request,
      target,
      route,
      region: regionHeader ?? options.defaultRegion,
      principal: auth.principal,
      modelId: route.labels.modelId !== undefined ? safeDecode(route.labels.modelId) : modelIdFromPath(target.segments),
      endUser: endUserOf(request.headers),
      body: null,
    };
    return { ok: true, call, readBody };
  };
}

function authorityOf(url: string): string {
  const start = url.indexOf("//") + 2;
  return url.slice(start, pathStartOf(url));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Model routes the spec does not list yet still name their model in the second segment. */
function modelIdFromPath(segments: string[]): string | null {
  return segments[0] === "model" && segments.length >= 2 ? safeDecode(segments[1]) : null;
}

/** The end user a key's owner reports per request (LiteLLM's header names too); null when absent or empty. */
function endUserOf(headers: Headers): string | null {
  const value = headers.get("x-end-user-id") ?? headers.get("x-litellm-end-user-id") ?? headers.get("x-litellm-customer-id");
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 256) : null;
}
