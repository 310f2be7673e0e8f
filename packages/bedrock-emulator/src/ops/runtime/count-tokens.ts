/** POST /model/{modelId}/count-tokens */
import type { OpContext } from "../../context.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse } from "../../responses.ts";

export function countTokens(ctx: OpContext): Response {
  return jsonResponse(ctx, { inputTokens: runInference(ctx).usage.inputTokens });
}
