import type { GatewayConfig } from "../config.ts";
import { boundedMemo } from "./bounded-memo.ts";
import type { BedrockCall } from "./call.ts";
import { errorMessage } from "../error-message.ts";
import { errors } from "./errors.ts";
import { upstreamHeaders } from "./headers.ts";
import { upstreamOrigin } from "./region.ts";
import type { Signer } from "./sign.ts";

export interface ForwardOptions {
  config: GatewayConfig;
  signer: Signer;
  timeoutMs: number;
}

export type Forwarded =
  | { ok: true; upstream: Response; abort: AbortController; release: () => void }
  | { ok: false; response: Response };

/**
 * Signs the exact bytes the client sent and sends them to Bedrock. A client that goes away aborts the upstream
 * call; `release` detaches that link once the answer has been relayed.
 */
export function createForward(options: ForwardOptions) {
  const { config, signer, timeoutMs } = options;
  const originUrl = boundedMemo((origin) => new URL(origin));

  return async function forward(call: BedrockCall): Promise<Forwarded> {
    const { request, target } = call;
    const origin = upstreamOrigin(config, call.route.service, call.region);
    // A string, not a URL object: the raw path must reach the wire exactly as the client encoded it.
    const href = origin + target.path + (target.query ? "?" + target.query : "");
    let signedHeaders: Record<string, string>;
    try {
      signedHeaders = await signer.sign(
        { method: request.method, origin: originUrl(origin), rawPath: target.path, rawQuery: target.query, headers: upstreamHeaders(request.headers), body: call.body },
        call.region,
      );
    } catch (error) {
      // In practice: the gateway's own AWS credentials cannot be loaded. The caller can do nothing about it; say so.
      return { ok: false, response: errors.internal(`The gateway could not sign the call with its AWS credentials (${errorMessage(error)}). Its operator must configure them.`) };
    }

    // Gone already (a closed connection, a reset stream): nothing goes upstream. Checked here because an abort
    // that already happened fires no event for the listener below.
    if (request.signal.aborted) return { ok: false, response: errors.clientClosed() };
    // A model call always carries a body. An empty one is what an HTTP/2 stream reset before its first DATA frame
    // looks like on Bun and Deno (the body ends cleanly, the abort signal fires up to ~20 ms later): a rapid-reset
    // flood must not reach Bedrock, which would refuse an empty body anyway.
    const operation = call.route.operation;
    if (operation !== null && operation.usage !== "none" && call.body !== null && call.body.byteLength === 0) {
      return { ok: false, response: errors.validation(`${operation.operationId} needs a request body; it was empty.`) };
    }
    const abort = new AbortController();
    const onClientAbort = () => abort.abort();
    request.signal.addEventListener("abort", onClientAbort, { once: true });
    const release = () => request.signal.removeEventListener("abort", onClientAbort);
    const timer = setTimeout(() => abort.abort(new DOMException("upstream timeout", "TimeoutError")), timeoutMs);
    try {
      const upstream = await fetch(href, {
        method: request.method,
        headers: upstreamRequestHeaders(signedHeaders),
        body: call.body,
        redirect: "manual",
        signal: abort.signal,
        // Bun decodes gzip but keeps content-encoding; relaying bytes untouched needs it off.
        decompress: false,
      } as RequestInit);
      return { ok: true, upstream, abort, release };
    } catch (error) {
      release();
      const timedOut = abort.signal.reason instanceof DOMException && abort.signal.reason.name === "TimeoutError";
      const response = timedOut
        ? errors.gatewayTimeout(`Bedrock did not answer within ${timeoutMs} ms.`)
        : errors.badGateway(`Bedrock is unreachable: ${errorMessage(error)}`);
      return { ok: false, response };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The signed headers as sent: the runtime sets Host itself; identity encoding keeps the answer's bytes as Bedrock sent them. */
function upstreamRequestHeaders(signed: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  for (const name in signed) if (name !== "host") headers[name] = signed[name]!;
  return headers;
}
