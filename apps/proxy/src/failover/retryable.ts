import type { Forwarded } from "../pipeline/forward.ts";
import type { Refusal } from "../pipeline/refusal.ts";

/** Bedrock's answers that say "not now, not here" rather than "not this request". */
const retryableTypes = new Set(["ThrottlingException", "ServiceUnavailableException", "ModelNotReadyException", "InternalServerException"]);

/**
 * Why an attempt's answer should be tried in another region (throttled, unavailable, model not ready, 5xx, or no
 * connection at all), or null when it is the answer (success, or an error another region would repeat). A timeout
 * waiting for headers is not retried: the model may still be working on it, and UPSTREAM_TIMEOUT_MS is long.
 */
export function retryReason(result: Forwarded | Refusal): string | null {
  if (!("upstream" in result)) return result.status === 502 ? `connection: ${result.message}` : null;
  const { status, headers } = result.upstream;
  if (status < 400) return null;
  // The type may carry a namespace after a colon (`ThrottlingException:http://internal.amazon.com/...`).
  const type = (headers.get("x-amzn-errortype") ?? "").split(":")[0]!;
  if (retryableTypes.has(type)) return type;
  if (status === 429 || status >= 500) return type || `HTTP ${status}`;
  return null;
}

/** Full jitter: random(0, min(max, base · 2^(retry-1))), so instances retrying together spread out. */
export function backoffMs(retry: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** (retry - 1));
}
