import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
import type { Authenticator } from "../auth/authenticator.ts";
import { extractKey } from "../auth/extract-key.ts";
import { pathStartOf } from "../bedrock/raw-path.ts";
import type { Principal } from "../auth/principal.ts";
import type { GatewaySigV4, SigningService } from "../auth/sigv4-credentials.ts";
import { scopeOf } from "@bedrock-gateway/sigv4";
import { type BodyLimits, readCallBody } from "./read-body.ts";
import { isRefusal, type Refusal } from "./refusal.ts";
import { takesEvents } from "./route.ts";
import type { RoutedCall } from "./route.ts";

export interface AuthenticateOptions {
  authenticate: Authenticator;
  /** Requests signed with gateway-issued AWS credentials (and no key header) are verified here instead. */
  gatewaySigV4?: GatewaySigV4;
  body: BodyLimits;
}

/**
 * Who is calling. An explicit key header wins; otherwise a signature made with gateway credentials is verified
 * as AWS would: first from the headers alone (shape, scope, date, the key id's existence), then with the body
 * (read once, within the size and time limits, and kept for forwarding).
 */
export function createAuthenticate(options: AuthenticateOptions) {
  const { authenticate, gatewaySigV4 } = options;

  return async function authenticateCall(call: RoutedCall): Promise<Principal | Refusal> {
    const { request, target } = call;
    const key = extractKey(request.headers);
    if (key !== null || !gatewaySigV4?.claims(request.headers)) return authenticate(key);
    const service = signingServiceOf(call);
    // Headers first: a forged or stale signature costs no body read.
    const early = await gatewaySigV4.precheck(request.headers, service);
    if (early) return early;
    const signed = {
      method: request.method,
      rawPath: BEDROCK_PREFIX + target.path,
      rawQuery: target.query,
      headers: request.headers,
      // Over HTTP/2 the SDKs sign `:authority`; Deno then has no Host header and keeps it in the URL only.
      authority: request.headers.get("host") ?? authorityOf(request.url),
    };
    if (takesEvents(call)) {
      // The body is a live stream of events: the request is verified from its headers, each event as it comes.
      const result = await gatewaySigV4.authenticateEvents(signed);
      if (isRefusal(result)) return result;
      call.inputChain = result.events;
      return result.principal;
    }
    return gatewaySigV4.authenticate({ ...signed, body: (await readCallBody(call, options.body)) ?? new Uint8Array(0) }, service);
  };
}

/**
 * The service a gateway-issued pair's signature must be scoped to: `bedrock`, except on the OpenAI- and
 * Anthropic-compatible routes, where `bedrock-mantle` is accepted too. Their Mantle clients sign for it, and
 * nothing is lost: the scope only derives the signing key from the same secret, which is valid at this gateway
 * alone, and the gateway signs what it sends upstream for `bedrock` itself.
 */
function signingServiceOf(call: RoutedCall): SigningService {
  if (call.route.operation?.dialect === undefined) return "bedrock";
  return scopeOf(call.request.headers.get("authorization"))?.service === "bedrock-mantle" ? "bedrock-mantle" : "bedrock";
}

function authorityOf(url: string): string {
  const start = url.indexOf("//") + 2;
  return url.slice(start, pathStartOf(url));
}
