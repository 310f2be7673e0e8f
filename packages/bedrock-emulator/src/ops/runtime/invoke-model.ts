/** POST /model/{modelId}/invoke */
import type { OpContext } from "../../context.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse, latencyMs } from "../../responses.ts";
import { embeddingResponse } from "./embeddings.ts";
import { imageResponse } from "./images.ts";
import { modelFamily } from "./model-family.ts";
import { nativeResponse } from "./native-response.ts";

export function invokeModel(ctx: OpContext): Response {
  const modelId = ctx.params.modelId!;
  const image = imageResponse(ctx, modelId);
  if (image) return image;
  const embedding = embeddingResponse(ctx, modelId);
  if (embedding) return embedding;
  const inf = runInference(ctx);
  const body = nativeResponse(modelFamily(modelId), modelId, ctx.requestId.slice(0, 8), inf);
  const headers: Record<string, string> = {};
  if (!ctx.control.omitUsageHeaders) {
    headers["X-Amzn-Bedrock-Input-Token-Count"] = String(inf.usage.inputTokens);
    headers["X-Amzn-Bedrock-Output-Token-Count"] = String(inf.usage.outputTokens);
    headers["X-Amzn-Bedrock-Invocation-Latency"] = String(latencyMs(ctx));
    if (inf.usage.cacheReadInputTokens !== undefined) headers["X-Amzn-Bedrock-Cache-Read-Input-Token-Count"] = String(inf.usage.cacheReadInputTokens);
    if (inf.usage.cacheWriteInputTokens !== undefined) headers["X-Amzn-Bedrock-Cache-Write-Input-Token-Count"] = String(inf.usage.cacheWriteInputTokens);
  }
  return jsonResponse(ctx, body, 200, headers);
}
