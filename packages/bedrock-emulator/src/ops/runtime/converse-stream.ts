/** POST /model/{modelId}/converse-stream */
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference, type Inference } from "../../inference.ts";
import { latencyMs, streamResponse } from "../../responses.ts";
import { guardrailTrace } from "./guardrail-trace.ts";
import { toolUseEvents, toolUseFor } from "./tool-use.ts";

export function converseStream(ctx: OpContext): Response {
  return streamResponse(ctx, events(ctx, runInference(ctx)), "modelStreamErrorException");
}

function* events(ctx: OpContext, inf: Inference): Generator<StreamEvent> {
  yield { eventType: "messageStart", payload: { role: "assistant" } };
  for (const text of inf.chunks) {
    yield { eventType: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { text } } };
  }
  yield { eventType: "contentBlockStop", payload: { contentBlockIndex: 0 } };
  const tool = toolUseFor(ctx);
  if (tool) yield* toolUseEvents(tool, 1);
  yield { eventType: "messageStop", payload: { stopReason: tool ? "tool_use" : "end_turn" } };
  // Latency is taken when the last frame is produced, as Bedrock measures the whole generation.
  yield { eventType: "metadata", payload: { usage: inf.usage, metrics: { latencyMs: latencyMs(ctx) }, ...guardrailTrace(ctx, inf.replyText) } };
}
