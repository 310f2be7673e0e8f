/** POST /model/{modelId}/converse */
import type { OpContext } from "../../context.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse, latencyMs } from "../../responses.ts";
import { guardrailTrace } from "./guardrail-trace.ts";
import { toolUseFor } from "./tool-use.ts";

export function converse(ctx: OpContext): Response {
  const { usage, replyText } = runInference(ctx);
  const tool = toolUseFor(ctx);
  return jsonResponse(ctx, {
    output: { message: { role: "assistant", content: [{ text: replyText }, ...(tool ? [{ toolUse: tool }] : [])] } },
    stopReason: tool ? "tool_use" : "end_turn",
    usage,
    metrics: { latencyMs: latencyMs(ctx) },
    ...guardrailTrace(ctx, replyText),
  });
}
