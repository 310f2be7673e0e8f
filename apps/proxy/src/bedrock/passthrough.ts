import type { GatewayConfig } from "../config.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { GatewaySigV4 } from "../auth/sigv4-credentials.ts";
import { extractKey } from "../auth/extract-key.ts";
import type { BedrockCall, UpstreamResult } from "./call.ts";
import { awsError, errors } from "./errors.ts";
import { downstreamHeaders, upstreamHeaders } from "./headers.ts";
import type { CallOutcome, CallPlugin } from "./plugin.ts";
import { parseRawTarget } from "./raw-path.ts";
import { isRegion, upstreamOrigin } from "./region.ts";
import { type BodyTap, relayBody } from "./relay.ts";
import type { RouteTable } from "./route-table.ts";
import type { Signer } from "./sign.ts";
import { createUsageMeter } from "../usage/meter.ts";

export const BEDROCK_PREFIX = "/bedrock";
const EVENT_STREAM = "application/vnd.amazon.eventstream";

export interface PassthroughOptions {
  config: GatewayConfig;
  routes: RouteTable;
  signer: Signer;
  authenticate: Authenticator;
  /** Requests signed with gateway-issued AWS credentials (and no key header) are verified here instead. */
  gatewaySigV4?: GatewaySigV4;
  plugins?: CallPlugin[];
  upstreamTimeoutMs?: number;
  /** Requests answered before any plugin saw them (bad path, unknown route, bad key, bad region): for metrics. */
  onUnadmitted?: (request: Request, response: Response, startedAt: number) => void;
}

/** `ANY /bedrock/*`: request in, checks, sign, forward, relay with taps, record. */
export function createPassthrough(options: PassthroughOptions): (request: Request) => Promise<Response> {
  const { config, routes, signer, authenticate, gatewaySigV4 } = options;
  const plugins = options.plugins ?? [];
  const timeoutMs = options.upstreamTimeoutMs ?? 300_000;

  return async function passthrough(request) {
    const startedAt = Date.now();
    const unadmitted = (response: Response) => (options.onUnadmitted?.(request, response, startedAt), response);
    const parsed = parseRawTarget(request.url, BEDROCK_PREFIX);
    if (!parsed.ok) return unadmitted(errors.validation(`Invalid Bedrock path: ${parsed.reason}.`));
    const target = parsed.target;
    const route = routes.resolve(request.method, target.segments);
    if (!route) return unadmitted(errors.unknownOperation(`Unknown Bedrock route: /${target.segments[0]}. See /openapi.json for the operations the gateway serves.`));

    // Read at most once: gateway SigV4 needs the body to verify, everything else reads it after admission.
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    let bodyRead: Promise<Uint8Array | null> | undefined;
    const readBody = () => (bodyRead ??= hasBody ? request.arrayBuffer().then((b) => new Uint8Array(b)) : Promise.resolve(null));

    // An explicit key header wins; otherwise a signature made with gateway credentials is verified as AWS would.
    const key = extractKey(request.headers);
    const auth = key === null && gatewaySigV4?.claims(request.headers)
      ? await gatewaySigV4.authenticate({
          method: request.method,
          rawPath: BEDROCK_PREFIX + target.path,
          rawQuery: target.query,
          headers: request.headers,
          body: (await readBody()) ?? new Uint8Array(0),
        })
      : await authenticate(key, request);
    if (!auth.ok) return unadmitted(awsError(auth.status, auth.type, auth.message));

    const regionHeader = request.headers.get("x-bedrock-region");
    if (regionHeader !== null && !isRegion(regionHeader)) return unadmitted(errors.validation(`x-bedrock-region is not an AWS region: ${JSON.stringify(regionHeader.slice(0, 40))}.`));

    const call: BedrockCall = {
      requestId: crypto.randomUUID(),
      startedAt,
      request,
      target,
      route,
      region: regionHeader ?? config.region,
      principal: auth.principal,
      modelId: route.labels.modelId !== undefined ? safeDecode(route.labels.modelId) : modelIdFromPath(target.segments),
      endUser: endUserOf(request.headers),
      body: null,
    };

    const finish = (outcome: Omit<CallOutcome, "endedAt" | "usage">, usage: CallOutcome["usage"] = null) => {
      const done = { ...outcome, usage, endedAt: Date.now() };
      for (const plugin of plugins) plugin.finish?.(call, done);
    };

    for (const plugin of plugins) {
      const refusal = await plugin.admit?.(call);
      if (refusal) {
        finish({ status: refusal.status, refusal: { type: refusal.headers.get("x-amzn-errortype") ?? "Error", message: "refused" } });
        return refusal;
      }
    }

    call.body = await readBody();

    const origin = upstreamOrigin(config, route.service, call.region);
    const url = new URL(origin + target.path + (target.query ? "?" + target.query : ""));
    const signedHeaders = await signer.sign(
      { method: request.method, url, rawPath: target.path, rawQuery: target.query, headers: upstreamHeaders(request.headers), body: call.body },
      call.region,
    );
    delete signedHeaders.host;

    const abort = new AbortController();
    const onClientAbort = () => abort.abort();
    request.signal.addEventListener("abort", onClientAbort, { once: true });
    const timer = setTimeout(() => abort.abort(new DOMException("upstream timeout", "TimeoutError")), timeoutMs);

    let upstream: Response;
    try {
      // The URL string is built from the raw path: a URL object would keep it, but some fetches re-normalise.
      upstream = await fetch(origin + target.path + (target.query ? "?" + target.query : ""), {
        method: request.method,
        headers: { ...signedHeaders, "accept-encoding": "identity" },
        body: call.body,
        redirect: "manual",
        signal: abort.signal,
        // Bun decodes gzip but keeps content-encoding; relaying bytes untouched needs it off.
        decompress: false,
      } as RequestInit);
    } catch (error) {
      clearTimeout(timer);
      request.signal.removeEventListener("abort", onClientAbort);
      const timedOut = abort.signal.reason instanceof DOMException && abort.signal.reason.name === "TimeoutError";
      const response = timedOut
        ? errors.gatewayTimeout(`Bedrock did not answer within ${timeoutMs} ms.`)
        : errors.badGateway(`Bedrock is unreachable: ${error instanceof Error ? error.message : String(error)}`);
      finish({ status: response.status, refusal: { type: "ServiceUnavailableException", message: "upstream unreachable" } });
      return response;
    }
    clearTimeout(timer);

    const result: UpstreamResult = { status: upstream.status, headers: upstream.headers, firstByteAt: Date.now() };
    const meter = createUsageMeter(route.operation?.usage ?? "none", { modelId: call.modelId, status: upstream.status, headers: upstream.headers });
    const taps = [meter, ...plugins.map((p) => p.observe?.(call, result)).filter((t): t is BodyTap => t !== undefined)];
    const headers = downstreamHeaders(upstream.headers);
    if (!upstream.body) {
      request.signal.removeEventListener("abort", onClientAbort);
      meter.end({ kind: "complete" });
      finish({ status: upstream.status, upstream: result, relay: { kind: "complete" } }, meter.result());
      return new Response(null, { status: upstream.status, headers });
    }
    const body = relayBody(upstream.body, {
      eventStream: (upstream.headers.get("content-type") ?? "").startsWith(EVENT_STREAM),
      abortUpstream: () => abort.abort(),
      tap: {
        chunk: (bytes) => {
          for (const t of taps) t.chunk?.(bytes);
        },
        end: (relay) => {
          request.signal.removeEventListener("abort", onClientAbort);
          for (const t of taps) t.end?.(relay);
          finish({ status: upstream.status, upstream: result, relay }, meter.result());
        },
      },
    });
    return new Response(body, { status: upstream.status, headers });
  };
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
