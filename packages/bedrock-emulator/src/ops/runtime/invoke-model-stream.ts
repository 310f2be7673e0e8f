/** POST /model/{modelId}/invoke-with-response-stream: `chunk` events carrying base64 model-native JSON. */
import { utf8ToBase64 } from "../../base64.ts";
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference, type Inference } from "../../inference.ts";
import { latencyMs, streamResponse } from "../../responses.ts";
import { modelFamily } from "./model-family.ts";
import { nativeChunks } from "./native-stream.ts";

export function invokeModelStream(ctx: OpContext): Response {
  const modelId = ctx.params.modelId!;
  const inf = runInference(ctx);
  return streamResponse(ctx, chunkEvents(ctx, modelId, inf), "modelStreamErrorException", {
    "X-Amzn-Bedrock-Content-Type": "application/json",
  });
}

function* chunkEvents(ctx: OpContext, modelId: string, inf: Inference): Generator<StreamEvent> {
  const chunks = nativeChunks(modelFamily(modelId), modelId, ctx.requestId.slice(0, 8), inf);
  let firstByteLatency: number | undefined;
  // One chunk of look-ahead so the metrics can ride on the last chunk, as Bedrock does.
  let pending = chunks.next();
  while (!pending.done) {
    const current = pending.value;
    pending = chunks.next();
    firstByteLatency ??= latencyMs(ctx);
    if (pending.done && !ctx.control.omitUsageHeaders) {
      const u = inf.usage;
      current["amazon-bedrock-invocationMetrics"] = {
        inputTokenCount: u.inputTokens,
        outputTokenCount: u.outputTokens,
        invocationLatency: latencyMs(ctx),
        firstByteLatency,
        ...(u.cacheReadInputTokens !== undefined && { cacheReadInputTokenCount: u.cacheReadInputTokens }),
        ...(u.cacheWriteInputTokens !== undefined && { cacheWriteInputTokenCount: u.cacheWriteInputTokens }),
      };
    }
    yield { eventType: "chunk", payload: { bytes: utf8ToBase64(JSON.stringify(current)) } };
  }
}

