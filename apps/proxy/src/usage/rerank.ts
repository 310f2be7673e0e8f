import { at } from "./json.ts";
import { requestJson, textAt } from "./request-body.ts";
import { type Usage, zeroTokens } from "./types.ts";

/** Bedrock bills Rerank per query; a query over more than this many documents is billed once per started batch. */
export const RERANK_DOCUMENTS_PER_QUERY = 100;

/**
 * Rerank: the response carries no usage, and the bill is per query, so billed queries are counted from the request:
 * every query × one per started 100 `sources`. The model is `rerankingConfiguration.bedrockRerankingConfiguration
 * .modelConfiguration.modelArn`.
 */
export function rerankUsage(requestBody: Uint8Array | null | undefined): Usage {
  const parsed = requestJson(requestBody);
  if ("problem" in parsed) return { ...zeroTokens(), source: "unreadable", note: `Rerank queries not counted: ${parsed.problem}`, complete: false };
  const queries = at(parsed.json, "queries");
  const sources = at(parsed.json, "sources");
  const modelId = textAt(parsed.json, "rerankingConfiguration", "bedrockRerankingConfiguration", "modelConfiguration", "modelArn");
  if (!Array.isArray(queries) || !Array.isArray(sources)) {
    return { ...zeroTokens(), source: "unreadable", note: "Rerank queries not counted: the request has no queries or sources list", complete: false };
  }
  const billed = queries.length * Math.max(1, Math.ceil(sources.length / RERANK_DOCUMENTS_PER_QUERY));
  return { ...zeroTokens(), units: { queries: billed }, ...(modelId && { modelId }), source: "request-body", complete: true };
}
