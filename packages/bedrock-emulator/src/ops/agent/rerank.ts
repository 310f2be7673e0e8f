/** Rerank: keeps source order, with strictly decreasing scores, so results are predictable. */
import type { OpContext } from "../../context.ts";
import { jsonResponse } from "../../responses.ts";

export function rerank(ctx: OpContext): Response {
  const sources = Array.isArray(ctx.body.sources) ? ctx.body.sources : [];
  const cfg = ctx.body.rerankingConfiguration as { bedrockRerankingConfiguration?: { numberOfResults?: number } } | undefined;
  const n = Math.min(sources.length, cfg?.bedrockRerankingConfiguration?.numberOfResults ?? sources.length);
  const results = Array.from({ length: n }, (_, index) => ({ index, relevanceScore: Math.round((0.99 - index * 0.01) * 1000) / 1000 }));
  return jsonResponse(ctx, { results });
}
