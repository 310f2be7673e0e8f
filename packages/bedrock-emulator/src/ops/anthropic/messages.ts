/**
 * POST /anthropic/v1/messages: Bedrock Runtime's Anthropic Messages API (JSON, or named server-sent events with
 * `stream`). The model is in the body; the API version comes as the `anthropic-version` header (the Anthropic SDKs)
 * or as `anthropic_version` in the body (Bedrock's InvokeModel habit), and one of them is required.
 */
import type { JsonObject, OpContext } from "../../context.ts";
import { validation } from "../../errors.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference, type Inference } from "../../inference.ts";
import { jsonResponse, streamResponse } from "../../responses.ts";
import type { Usage } from "../../usage.ts";
import { anthropicCacheCreation } from "../runtime/native-response.ts";
import { sampleInput } from "../runtime/tool-use.ts";
import { messageEvents } from "./sse.ts";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

interface ToolUse {
  id: string;
  name: string;
  input: JsonObject;
}

export function messages(ctx: OpContext): Response {
  const { model, messages: turns, max_tokens: maxTokens } = ctx.body;
  if (typeof model !== "string" || !Array.isArray(turns) || turns.length === 0) throw validation("model and messages are required.");
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) throw validation("max_tokens: an integer of at least 1 is required.");
  if (!ctx.request.headers.get("anthropic-version") && typeof ctx.body.anthropic_version !== "string") {
    throw validation("An API version is required: the anthropic-version header, or anthropic_version in the body.");
  }
  const inference = runInference(ctx);
  const tool = toolUseFor(ctx.body, turns, ctx.requestId);
  const id = `msg_bdrk_${ctx.requestId.replaceAll("-", "").slice(0, 24)}`;
  if (ctx.body.stream === true) return streamResponse(ctx, events(id, model, inference, tool), "InternalServerException", undefined, messageEvents);
  const content = tool ? [{ type: "tool_use", id: tool.id, name: tool.name, input: tool.input }] : [{ type: "text", text: inference.replyText }];
  return jsonResponse(ctx, {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: tool ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: messageUsage(inference.usage, inference.usage.outputTokens),
  });
}

function* events(id: string, model: string, inference: Inference, tool: ToolUse | null): Generator<StreamEvent> {
  const event = (type: string, fields: JsonObject): StreamEvent => ({ eventType: type, payload: { type, ...fields } });
  // As Anthropic does: input and cache tokens in message_start, the output count so far in each message_delta.
  yield event("message_start", { message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: messageUsage(inference.usage, 1) } });
  yield event("ping", {});
  if (tool) {
    yield event("content_block_start", { index: 0, content_block: { type: "tool_use", id: tool.id, name: tool.name, input: {} } });
    yield event("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(tool.input) } });
  } else {
    yield event("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    for (const text of inference.chunks) yield event("content_block_delta", { index: 0, delta: { type: "text_delta", text } });
  }
  yield event("content_block_stop", { index: 0 });
  yield event("message_delta", { delta: { stop_reason: tool ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: inference.usage.outputTokens } });
  yield event("message_stop", {});
}

/** Anthropic's usage: cache reads and writes apart from `input_tokens`, writes split by TTL when there were any. */
function messageUsage(u: Usage, outputTokens: number): JsonObject {
  return {
    input_tokens: u.inputTokens,
    cache_creation_input_tokens: u.cacheWriteInputTokens ?? 0,
    cache_read_input_tokens: u.cacheReadInputTokens ?? 0,
    output_tokens: outputTokens,
    ...anthropicCacheCreation(u),
  };
}

/**
 * Offered `tools` and not yet given a `tool_result`, the model calls one (the one `tool_choice` names, else the
 * first), with an input that fills its schema's required properties, as Converse's tool use does.
 */
function toolUseFor(body: JsonObject, turns: unknown[], requestId: string): ToolUse | null {
  if (!Array.isArray(body.tools) || (isObject(body.tool_choice) && body.tool_choice.type === "none")) return null;
  const last = turns[turns.length - 1];
  if (isObject(last) && Array.isArray(last.content) && last.content.some((block) => isObject(block) && block.type === "tool_result")) return null;
  const tools = body.tools.filter((t): t is JsonObject => isObject(t) && typeof t.name === "string");
  const chosen = isObject(body.tool_choice) && body.tool_choice.type === "tool" ? body.tool_choice.name : undefined;
  const tool = tools.find((t) => t.name === chosen) ?? tools[0];
  if (!tool) return null;
  return { id: `toolu_bdrk_${requestId.replaceAll("-", "").slice(0, 24)}`, name: tool.name as string, input: sampleInput(tool.input_schema) };
}
