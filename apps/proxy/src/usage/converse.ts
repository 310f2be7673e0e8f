import { guardrailUnitsFromTrace } from "./guardrail.ts";
import { at, count, isObject } from "./json.ts";
import type { TokenCounts, Usage } from "./types.ts";

/** A Converse `TokenUsage` object → counts; null when it has no input or output count. */
export function tokensFromConverseUsage(usage: unknown): TokenCounts | null {
  if (!isObject(usage)) return null;
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  if (input === undefined && output === undefined) return null;
  const oneHour = oneHourCacheWrites(usage.cacheDetails);
  return {
    inputTokens: input ?? 0,
    outputTokens: output ?? 0,
    cacheReadInputTokens: count(usage.cacheReadInputTokens) ?? 0,
    cacheWriteInputTokens: count(usage.cacheWriteInputTokens) ?? 0,
    ...(oneHour !== undefined && { cacheWrite1hInputTokens: oneHour }),
  };
}

/** `cacheDetails: [{ttl: "1h" | "5m", inputTokens}]`: the cache writes made with a 1-hour TTL; undefined when absent. */
function oneHourCacheWrites(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  let oneHour = 0;
  for (const detail of details) if (at(detail, "ttl") === "1h") oneHour += count(at(detail, "inputTokens")) ?? 0;
  return oneHour;
}

/**
 * Usage of a Converse response body (`usage`), plus guardrail units when the request enabled guardrail trace.
 * Also reads a ConverseStream `metadata` event, which has the same `usage` and `trace` members.
 */
export function converseUsage(body: unknown, source: "converse-body" | "stream-metadata"): Usage | null {
  const tokens = tokensFromConverseUsage(at(body, "usage"));
  if (!tokens) return null;
  const guardrailUnits = guardrailUnitsFromTrace(at(body, "trace", "guardrail"));
  return { ...tokens, ...(guardrailUnits ? { guardrailUnits } : {}), source, complete: true };
}
