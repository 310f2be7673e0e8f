/** Model-native InvokeModel response bodies, one dialect per provider family. */
import type { Inference } from "../../inference.ts";
import type { Usage } from "../../usage.ts";
import type { ModelFamily } from "./model-family.ts";

export function nativeResponse(family: ModelFamily, modelId: string, id: string, inf: Inference): unknown {
  const { usage: u, replyText: text } = inf;
  switch (family) {
    case "nova":
      return {
        output: { message: { content: [{ text }], role: "assistant" } },
        stopReason: "end_turn",
        usage: {
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          totalTokens: u.totalTokens,
          ...(u.cacheReadInputTokens !== undefined && { cacheReadInputTokenCount: u.cacheReadInputTokens }),
          ...(u.cacheWriteInputTokens !== undefined && { cacheWriteInputTokenCount: u.cacheWriteInputTokens }),
        },
      };
    case "titan-text":
      return { inputTextTokenCount: u.inputTokens, results: [{ tokenCount: u.outputTokens, outputText: text, completionReason: "FINISH" }] };
    case "meta":
      return { generation: text, prompt_token_count: u.inputTokens, generation_token_count: u.outputTokens, stop_reason: "stop" };
    case "mistral":
      // Mistral bodies carry no usage; only the response headers do.
      return { outputs: [{ text, stop_reason: "stop" }] };
    case "cohere":
      return {
        response_id: id,
        text,
        generation_id: `gen-${id}`,
        chat_history: [{ role: "CHATBOT", message: text }],
        finish_reason: "COMPLETE",
        meta: { billed_units: { input_tokens: u.inputTokens, output_tokens: u.outputTokens } },
      };
    case "ai21":
      return {
        id: `chatcmpl-${id}`,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens },
      };
    case "deepseek":
      return { choices: [{ text, stop_reason: "stop" }] };
    case "anthropic":
      return {
        id: `msg_bdrk_${id}`,
        type: "message",
        role: "assistant",
        model: modelId,
        content: [{ type: "text", text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: {
          input_tokens: u.inputTokens,
          output_tokens: u.outputTokens,
          ...(u.cacheReadInputTokens !== undefined && { cache_read_input_tokens: u.cacheReadInputTokens }),
          ...(u.cacheWriteInputTokens !== undefined && { cache_creation_input_tokens: u.cacheWriteInputTokens }),
          ...anthropicCacheCreation(u),
        },
      };
  }
}

/** Anthropic's split of cache writes by TTL (`usage.cache_creation`), present when there were cache writes. */
export function anthropicCacheCreation(u: Usage): { cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } } {
  if (!u.cacheDetails) return {};
  return {
    cache_creation: {
      ephemeral_5m_input_tokens: u.cacheDetails.find((d) => d.ttl === "5m")?.inputTokens ?? 0,
      ephemeral_1h_input_tokens: u.cacheDetails.find((d) => d.ttl === "1h")?.inputTokens ?? 0,
    },
  };
}
