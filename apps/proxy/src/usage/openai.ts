import { at, count, isObject } from "./json.ts";
import type { TokenCounts, Usage } from "./types.ts";

/**
 * An OpenAI-shaped `usage` object → counts. Chat Completions name them `prompt_tokens` / `completion_tokens`,
 * the Responses API `input_tokens` / `output_tokens`; both report cache reads inside the input count
 * (`*_tokens_details.cached_tokens`), which Bedrock bills apart, so they are taken out of `inputTokens`.
 */
export function tokensFromOpenAiUsage(usage: unknown): TokenCounts | null {
  if (!isObject(usage)) return null;
  const input = count(usage.prompt_tokens) ?? count(usage.input_tokens);
  const output = count(usage.completion_tokens) ?? count(usage.output_tokens);
  if (input === undefined && output === undefined) return null;
  const cached = count(at(usage, "prompt_tokens_details", "cached_tokens")) ?? count(at(usage, "input_tokens_details", "cached_tokens")) ?? 0;
  return {
    inputTokens: Math.max(0, (input ?? 0) - cached),
    outputTokens: output ?? 0,
    cacheReadInputTokens: cached,
    cacheWriteInputTokens: 0,
  };
}

/** The usage of an OpenAI-compatible answer: `usage` at the top (chat completion, response, stream chunk) or in `response` (the Responses stream's `response.completed`). */
export function openAiUsage(body: unknown, source: "openai-usage" | "openai-stream-usage"): Usage | null {
  const tokens = tokensFromOpenAiUsage(at(body, "usage")) ?? tokensFromOpenAiUsage(at(body, "response", "usage"));
  return tokens ? { ...tokens, source, complete: true } : null;
}

/**
 * Reads the usage of an OpenAI-compatible server-sent-event stream from its events as they pass. Chat Completions
 * send it in a last chunk only when the request asked (`stream_options: {"include_usage": true}`); the Responses
 * API in its `response.completed` event. Events without a `usage` member are not parsed at all.
 */
export function openAiStreamUsageReader() {
  let usage: Usage | null = null;
  let events = 0;
  let error: string | null = null;
  return {
    event(data: string) {
      events++;
      if (data === "[DONE]" || !data.includes('"usage"') && !data.includes('"error"')) return;
      const json: unknown = JSON.parse(data);
      const error_ = at(json, "error", "message") ?? at(json, "response", "error", "message");
      if (typeof error_ === "string") error ??= error_;
      usage = openAiUsage(json, "openai-stream-usage") ?? usage;
    },
    result(): Usage {
      if (usage) return usage;
      const why = error
        ? `the stream ended with an error (${error.slice(0, 200)})`
        : "it carried no usage (Chat Completions streams report it only with stream_options.include_usage: true)";
      return { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "openai-stream-usage", note: `${events} events read; ${why}`, complete: false };
    },
    hasUsage: () => usage !== null,
  };
}
