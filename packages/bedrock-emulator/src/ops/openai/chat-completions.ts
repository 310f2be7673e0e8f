/** POST /openai/v1/chat/completions: Bedrock Runtime's OpenAI-compatible Chat Completions (JSON, or SSE with `stream`). */
import type { JsonObject, OpContext } from "../../context.ts";
import { validation } from "../../errors.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference, type Inference } from "../../inference.ts";
import { jsonResponse, streamResponse } from "../../responses.ts";
import type { Usage } from "../../usage.ts";
import { chatCompletionEvents } from "./sse.ts";
import { toolCallFor, type ToolCall } from "./tool-call.ts";

export function chatCompletions(ctx: OpContext): Response {
  const model = ctx.body.model;
  if (typeof model !== "string" || !Array.isArray(ctx.body.messages)) throw validation("model and messages are required.");
  const inference = runInference(ctx);
  const messages = ctx.body.messages as unknown[];
  const last = messages[messages.length - 1];
  const tool = toolCallFor(ctx.body, typeof last === "object" && last !== null && (last as JsonObject).role === "tool");
  const head = { id: `chatcmpl-${ctx.requestId}`, created: Math.floor(Date.now() / 1000), model };
  if (ctx.body.stream === true) {
    const includeUsage = (ctx.body.stream_options as JsonObject | undefined)?.include_usage === true;
    return streamResponse(ctx, chunks(head, inference, tool, includeUsage), "InternalServerException", undefined, chatCompletionEvents);
  }
  const message = tool
    ? { role: "assistant", content: null, tool_calls: [{ id: tool.id, type: "function", function: { name: tool.name, arguments: tool.arguments } }] }
    : { role: "assistant", content: inference.replyText };
  return jsonResponse(ctx, {
    ...head,
    object: "chat.completion",
    choices: [{ index: 0, message, finish_reason: tool ? "tool_calls" : "stop" }],
    usage: openAiChatUsage(inference.usage),
  });
}

function* chunks(head: JsonObject, inference: Inference, tool: ToolCall | null, includeUsage: boolean): Generator<StreamEvent> {
  const chunk = (delta: JsonObject, finish: string | null): StreamEvent => ({
    eventType: "chunk",
    payload: { ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] },
  });
  if (tool) {
    yield chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: tool.id, type: "function", function: { name: tool.name, arguments: "" } }] }, null);
    yield chunk({ tool_calls: [{ index: 0, function: { arguments: tool.arguments } }] }, null);
    yield chunk({}, "tool_calls");
  } else {
    yield chunk({ role: "assistant", content: "" }, null);
    for (const text of inference.chunks) yield chunk({ content: text }, null);
    yield chunk({}, "stop");
  }
  // As OpenAI does: usage in a last chunk without choices, only when the request asked for it.
  if (includeUsage) yield { eventType: "chunk", payload: { ...head, object: "chat.completion.chunk", choices: [], usage: openAiChatUsage(inference.usage) } };
}

/** Cache reads are part of the prompt count in OpenAI's shape (Bedrock's `inputTokens` excludes them). */
export function openAiChatUsage(usage: Usage) {
  const cached = usage.cacheReadInputTokens ?? 0;
  return {
    prompt_tokens: usage.inputTokens + cached,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + cached + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}
