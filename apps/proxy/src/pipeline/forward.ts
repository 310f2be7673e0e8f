import { errorMessage } from "../error-message.ts";
import type { BedrockCall } from "./context.ts";
import { refuse, type Refusal } from "./refusal.ts";
import type { SignedCall } from "./sign.ts";

export interface Forwarded {
  upstream: Response;
  abort: AbortController;
  /** Detaches the client's abort from the upstream call once the answer has been relayed. */
  release: () => void;
}

/**
 * Sends the signed call to Bedrock. A client that goes away aborts the upstream call; no answer within
 * `timeoutMs` (UPSTREAM_TIMEOUT_MS) is a 504.
 */
export function createForward(options: { timeoutMs: number; fetchOptions: RequestInit }) {
  const { timeoutMs, fetchOptions } = options;

  return async function forward(call: BedrockCall, signed: SignedCall): Promise<Forwarded | Refusal> {
    const { request } = call;
    // Gone already (a closed connection, a reset stream): nothing goes upstream. Checked here because an abort
    // that already happened fires no event for the listener below.
    if (request.signal.aborted) return refuse.clientClosed("The client closed the request before it was sent to Bedrock.");
    // A model call always carries a body. An empty one is what an HTTP/2 stream reset before its first DATA frame
    // looks like on Bun and Deno (the body ends cleanly, the abort signal fires up to ~20 ms later): a rapid-reset
    // flood must not reach Bedrock, which would refuse an empty body anyway.
    const operation = call.route.operation;
    if (operation !== null && operation.usage !== "none" && call.body !== null && call.body.byteLength === 0) {
      return refuse.validation(`${operation.operationId} needs a request body; it was empty.`);
    }
    const abort = new AbortController();
    const onClientAbort = () => abort.abort();
    request.signal.addEventListener("abort", onClientAbort, { once: true });
    const release = () => request.signal.removeEventListener("abort", onClientAbort);
    const timer = setTimeout(() => abort.abort(new DOMException("upstream timeout", "TimeoutError")), timeoutMs);
    try {
      const upstream = await fetch(signed.href, {
        ...fetchOptions,
        method: request.method,
        headers: signed.headers,
        body: call.body,
        redirect: "manual",
        signal: abort.signal,
      });
      return { upstream, abort, release };
    } catch (error) {
      release();
      const timedOut = abort.signal.reason instanceof DOMException && abort.signal.reason.name === "TimeoutError";
      return timedOut ? refuse.gatewayTimeout(`Bedrock did not answer within ${timeoutMs} ms.`) : refuse.badGateway(`Bedrock is unreachable: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
    }
  };
}
