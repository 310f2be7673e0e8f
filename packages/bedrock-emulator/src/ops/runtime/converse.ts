/** POST /model/{modelId}/converse */
import type { OpContext } from "../../context.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse, latencyMs } from "../../responses.ts";

export function converse(ctx: OpContext): Response {
  const { usage, replyText } = runInference(ctx);
  return jsonResponse(ctx, {
    output: { message: { role: "assistant", content: [{ text: replyText }] } },
    stopReason: "end_turn",
    usage,
    metrics: { latencyMs: latencyMs(ctx) },
  });
}
