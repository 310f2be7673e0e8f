import { at, count, isObject } from "../json.ts";
import type { TokenCounts } from "../types.ts";

export type FamilyName = "anthropic" | "nova" | "titan" | "llama" | "mistral" | "cohere" | "ai21" | "deepseek" | "openai-compatible";

/** How one provider family reports usage in its model-native InvokeModel bodies. */
export interface InvokeFamily {
  name: FamilyName;
  /** Usage in a complete InvokeModel response body; null when the body carries none. */
  body(json: unknown): TokenCounts | null;
  /** A reader for the decoded chunk payloads of InvokeModelWithResponseStream, fed in order. */
  stream(): FamilyStreamReader;
}

export interface FamilyStreamReader {
  push(chunk: unknown): void;
  /** The counts seen so far; null while no chunk has carried usage. */
  counts(): TokenCounts | null;
}

export function tokens(input: number | undefined, output: number | undefined, cacheRead?: number, cacheWrite?: number): TokenCounts {
  return { inputTokens: input ?? 0, outputTokens: output ?? 0, cacheReadInputTokens: cacheRead ?? 0, cacheWriteInputTokens: cacheWrite ?? 0 };
}

/** `usage: {prompt_tokens, completion_tokens}` as in OpenAI-style chat completions (Mistral chat, AI21 Jamba, DeepSeek, gpt-oss). */
export function openAiStyleUsage(json: unknown): TokenCounts | null {
  const usage = at(json, "usage");
  if (!isObject(usage)) return null;
  const input = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  if (input === undefined && output === undefined) return null;
  return tokens(input, output);
}

/** A stream reader that keeps the latest counts a chunk reported (OpenAI-style streams report usage in the last chunk). */
export function latestCountsReader(read: (chunk: unknown) => TokenCounts | null): FamilyStreamReader {
  let latest: TokenCounts | null = null;
  return {
    push(chunk) {
      latest = read(chunk) ?? latest;
    },
    counts: () => latest,
  };
}

/**
 * A stream reader for chunks that carry the input count (in the first chunk) and a running total of output tokens
 * under fixed keys: input is the latest count seen, output the largest total (a running total never goes down).
 */
export function runningTotalsReader(inputKey: string, outputKey: string): FamilyStreamReader {
  let input: number | undefined;
  let output: number | undefined;
  return {
    push(chunk) {
      input = count(at(chunk, inputKey)) ?? input;
      const total = count(at(chunk, outputKey));
      if (total !== undefined) output = Math.max(output ?? 0, total);
    },
    counts: () => (input === undefined && output === undefined ? null : tokens(input, output)),
  };
}

export const openAiCompatible: InvokeFamily = {
  name: "openai-compatible",
  body: openAiStyleUsage,
  stream: () => latestCountsReader(openAiStyleUsage),
};
