/** POST /openai/v1/responses: the OpenAI Responses API as bedrock-runtime serves it (synchronous; JSON, or SSE with `stream`). */
import type { JsonObject, OpContext } from "../../context.ts";
import { validation } from "../../errors.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse, streamResponse } from "../../responses.ts";
import type { Usage } from "../../usage.ts";
import { responseEvents } from "./sse.ts";
import { toolCallFor } from "./tool-call.ts";

export function responses(ctx: OpContext): Response {
  const model = ctx.body.model;
  if (typeof model !== "string" || ctx.body.input === undefined) throw validation("model and input are required.");
  const inference = runInference(ctx);
  const input = ctx.body.input;
  const toolResultGiven = Array.isArray(input) && input.some((item) => typeof item === "object" && item !== null && (item as JsonObject).type === "function_call_output");
  const tool = toolCallFor(ctx.body, toolResultGiven);
  const id = `resp_${ctx.requestId.replaceAll("-", "")}`;
  const messageId = `msg_${ctx.requestId.replaceAll("-", "")}`;
  const output = tool
    ? [{ type: "function_call", id: `fc_${tool.id}`, call_id: tool.id, name: tool.name, arguments: tool.arguments, status: "completed" }]
    : [{ type: "message", id: messageId, status: "completed", role: "assistant", content: [{ type: "output_text", text: inference.replyText, annotations: [] }] }];
  const response = (status: string, withOutput: boolean): JsonObject => ({
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status,
    model,
    output: withOutput ? output : [],
    usage: withOutput ? openAiResponseUsage(inference.usage) : null,
  });
  if (ctx.body.stream !== true) return jsonResponse(ctx, response("completed", true));

  function* events(): Generator<StreamEvent> {
    let sequence = 0;
    const event = (type: string, fields: JsonObject): StreamEvent => ({ eventType: type, payload: { type, sequence_number: sequence++, ...fields } });
    yield event("response.created", { response: response("in_progress", false) });
    if (!tool) {
      for (const delta of inference.chunks) yield event("response.output_text.delta", { item_id: messageId, output_index: 0, content_index: 0, delta });
      yield event("response.output_text.done", { item_id: messageId, output_index: 0, content_index: 0, text: inference.replyText });
    }
    yield event("response.output_item.done", { output_index: 0, item: output[0] });
    yield event("response.completed", { response: response("completed", true) });
  }
  return streamResponse(ctx, events(), "InternalServerException", undefined, responseEvents);
}

function openAiResponseUsage(usage: Usage) {
  const cached = usage.cacheReadInputTokens ?? 0;
  return {
    input_tokens: usage.inputTokens + cached,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + cached + usage.outputTokens,
  };
}
