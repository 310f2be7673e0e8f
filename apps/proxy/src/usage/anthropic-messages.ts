import { anthropic } from "./invoke/anthropic.ts";
import { at } from "./json.ts";
import type { Usage } from "./types.ts";

/**
 * Usage of Bedrock Runtime's Anthropic Messages API (`/anthropic/v1/messages`), as the model reports it: the
 * answer's `usage` (`input_tokens`, `output_tokens`, cache reads, cache writes and their 1-hour part), read by the
 * same Anthropic reader as InvokeModel's Anthropic bodies.
 */
export function anthropicMessagesUsage(body: unknown): Usage | null {
  const tokens = anthropic.body(body);
  return tokens ? { ...tokens, source: "anthropic-usage", complete: true } : null;
}

/** The events that carry usage (or tell why it is missing); the many content deltas are never parsed. */
const METERED_EVENTS = new Set(["message_start", "message_delta", "error"]);

/**
 * Reads the usage of an Anthropic Messages stream from its server-sent events as they pass: `message_start`
 * brings input and cache tokens, each `message_delta` the output count so far (cumulative). The figures are final
 * once a `message_delta` arrived; a stream cut before it is a lower bound.
 */
export function anthropicStreamUsageReader() {
  const family = anthropic.stream();
  let events = 0;
  let final = false;
  let error: string | null = null;
  return {
    event(data: string, name?: string) {
      events++;
      // Anthropic names every event; an unnamed one is read only if it looks like one of these.
      if (name !== undefined ? !METERED_EVENTS.has(name) : !/"type":\s*"(message_start|message_delta|error)"/.test(data)) return;
      const json: unknown = JSON.parse(data);
      const type = at(json, "type");
      if (type === "error") {
        const message = at(json, "error", "message");
        error ??= typeof message === "string" ? message : JSON.stringify(at(json, "error"));
        return;
      }
      family.push(json);
      if (type === "message_delta" && at(json, "usage") !== undefined) final = true;
    },
    result(): Usage {
      const counts = family.counts();
      if (counts && final) return { ...counts, source: "anthropic-stream-usage", complete: true };
      const why = error ? `the stream ended with an error (${error.slice(0, 200)})` : counts ? "it ended before its message_delta usage" : "it carried no usage";
      const base = counts ?? { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
      return { ...base, source: "anthropic-stream-usage", note: `${events} events read; ${why}`, complete: false };
    },
    hasUsage: () => final,
  };
}
