/**
 * Model-native chunk sequences for InvokeModelWithResponseStream. Produced
 * lazily; the caller attaches `amazon-bedrock-invocationMetrics` to the last one.
 */
import { anthropicCacheCreation } from "./native-response.ts";
import type { Inference } from "../../inference.ts";
import type { ModelFamily } from "./model-family.ts";

type Chunk = Record<string, unknown>;

export function* nativeChunks(family: ModelFamily, modelId: string, id: string, inf: Inference): Generator<Chunk> {
  const { usage: u, chunks } = inf;
  const last = chunks.length - 1;
  switch (family) {
    case "nova":
      yield { messageStart: { role: "assistant" } };
      for (const text of chunks) yield { contentBlockDelta: { delta: { text }, contentBlockIndex: 0 } };
      yield { contentBlockStop: { contentBlockIndex: 0 } };
      yield { messageStop: { stopReason: "end_turn" } };
      yield { metadata: { usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens }, metrics: {}, trace: {} } };
      return;
    case "titan-text":
      for (let i = 0; i <= last; i++) {
        yield {
          outputText: chunks[i],
          index: 0,
          totalOutputTextTokenCount: i === last ? u.outputTokens : null,
          completionReason: i === last ? "FINISH" : null,
          inputTextTokenCount: i === 0 ? u.inputTokens : null,
        };
      }
      return;
    case "meta":
      for (let i = 0; i <= last; i++) {
        yield {
          generation: chunks[i],
          prompt_token_count: i === 0 ? u.inputTokens : null,
          generation_token_count: i + 1,
          stop_reason: i === last ? "stop" : null,
        };
      }
      return;
    case "mistral":
      for (let i = 0; i <= last; i++) yield { outputs: [{ text: chunks[i], stop_reason: i === last ? "stop" : null }] };
      return;
    case "cohere":
      for (const text of chunks) yield { is_finished: false, event_type: "text-generation", text };
      yield {
        is_finished: true,
        event_type: "stream-end",
        finish_reason: "COMPLETE",
        response: { response_id: id, text: inf.replyText, generation_id: `gen-${id}`, finish_reason: "COMPLETE" },
      };
      return;
    case "ai21":
      for (const content of chunks) yield { id: `chatcmpl-${id}`, choices: [{ index: 0, delta: { content }, finish_reason: null }] };
      yield {
        id: `chatcmpl-${id}`,
        choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
        usage: { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens },
      };
      return;
    case "deepseek":
      for (let i = 0; i <= last; i++) yield { choices: [{ text: chunks[i], stop_reason: i === last ? "stop" : null }] };
      return;
    case "anthropic":
      yield {
        type: "message_start",
        message: {
          id: `msg_bdrk_${id}`,
          type: "message",
          role: "assistant",
          model: modelId,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: u.inputTokens,
            output_tokens: 1,
            ...(u.cacheReadInputTokens !== undefined && { cache_read_input_tokens: u.cacheReadInputTokens }),
            ...(u.cacheWriteInputTokens !== undefined && { cache_creation_input_tokens: u.cacheWriteInputTokens }),
            ...anthropicCacheCreation(u),
          },
        },
      };
      yield { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } };
      for (const text of chunks) yield { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } };
      yield { type: "content_block_stop", index: 0 };
      yield { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: u.outputTokens } };
      yield { type: "message_stop" };
      return;
  }
}
