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
