import type { StreamFrame } from "./eventstream-decoder.ts";
import { invokeStreamReader } from "./invoke/index.ts";
import { at, count, decodeBase64, isObject, parseJson } from "./json.ts";
import type { StreamUsageReader } from "./stream-reader.ts";
import { type TokenCounts, type Usage, zeroTokens } from "./types.ts";

const METRICS = "amazon-bedrock-invocationMetrics";

/** `amazon-bedrock-invocationMetrics {inputTokenCount, outputTokenCount, cacheRead/WriteInputTokenCount?}`. */
export function tokensFromInvocationMetrics(metrics: unknown): TokenCounts | null {
  if (!isObject(metrics)) return null;
  const input = count(metrics.inputTokenCount);
  const output = count(metrics.outputTokenCount);
  if (input === undefined && output === undefined) return null;
  return {
    inputTokens: input ?? 0,
    outputTokens: output ?? 0,
    cacheReadInputTokens: count(metrics.cacheReadInputTokenCount) ?? 0,
    cacheWriteInputTokens: count(metrics.cacheWriteInputTokenCount) ?? 0,
  };
}

/** The JSON inside a `chunk` event (`{"bytes": base64 of JSON}`: InvokeModel streams, Nova Sonic); undefined for other frames. */
export function chunkJson(frame: StreamFrame): unknown {
  if (frame.kind !== "event" || frame.eventType !== "chunk") return undefined;
  const bytes = at(parseJson(frame.payload), "bytes");
  return typeof bytes === "string" ? parseJson(decodeBase64(bytes)) : undefined;
}

/**
 * InvokeModelWithResponseStream: `chunk` events whose payload is `{"bytes": base64}` of a model-native JSON chunk.
 * The last chunk carries `amazon-bedrock-invocationMetrics`, which wins; until then (or if the stream is cut)
 * the family's own usage fields give what was used so far.
 */
export function invokeStreamUsageReader(modelId: string | null): StreamUsageReader {
  const family = invokeStreamReader(modelId);
  let metrics: TokenCounts | null = null;
  let chunks = 0;
  return {
    frame(frame: StreamFrame) {
      const chunk = chunkJson(frame);
      if (chunk === undefined) return;
      chunks++;
      metrics = tokensFromInvocationMetrics(at(chunk, METRICS)) ?? metrics;
      family.push(chunk);
    },
    result(): Usage {
      if (metrics) {
        // The metrics do not split cache writes by TTL; an Anthropic `message_start` does.
        const oneHour = family.counts()?.cacheWrite1hInputTokens;
        return { ...metrics, ...(oneHour !== undefined && { cacheWrite1hInputTokens: oneHour }), source: "invocation-metrics", complete: true };
      }
      const counts = family.counts();
      if (counts) {
        return { ...counts, source: "stream-body", note: `no ${METRICS} after ${chunks} chunks: tokens are those the model reported so far`, complete: false };
      }
      return { ...zeroTokens(), source: "stream-body", note: `no usage reported in ${chunks} chunks: tokens unknown`, complete: false };
    },
    hasUsage: () => metrics !== null || family.counts() !== null,
  };
}
