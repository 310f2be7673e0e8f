/**
 * InvokeModel on embedding models, with the bodies Bedrock returns: Titan Text Embeddings (v1, v2) and Titan
 * Multimodal Embeddings `{embedding, inputTextTokenCount}` (v2 also `embeddingsByType` when asked), Cohere Embed
 * `{id, embeddings, texts, response_type}`. Usage is input tokens only (output 0), in the token-count headers too.
 */
import type { OpContext } from "../../context.ts";
import { countWords } from "../../usage.ts";
import { jsonResponse, latencyMs } from "../../responses.ts";

const PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The embedding response for an embedding model; null for any other model. */
export function embeddingResponse(ctx: OpContext, modelId: string): Response | null {
  const id = modelId.replace(PROFILE_PREFIX, "");
  const body = ctx.body;
  let inputTokens: number;
  let payload: unknown;
  if (id.startsWith("amazon.titan-embed")) {
    const text = typeof body.inputText === "string" ? body.inputText : "";
    inputTokens = ctx.control.usage?.inputTokens ?? countWords(text);
    const dimensions = typeof body.dimensions === "number" ? body.dimensions : id.startsWith("amazon.titan-embed-text-v2") ? 1024 : id.startsWith("amazon.titan-embed-image") ? 1024 : 1536;
    const embedding = vector(text, dimensions);
    const types = Array.isArray(body.embeddingTypes) ? body.embeddingTypes.filter((t): t is string => typeof t === "string") : null;
    payload = {
      embedding,
      inputTextTokenCount: inputTokens,
      ...(types && id.startsWith("amazon.titan-embed-text-v2") && { embeddingsByType: Object.fromEntries(types.map((t) => [t, t === "binary" ? embedding.map((x) => (x > 0 ? 1 : 0)) : embedding])) }),
    };
  } else if (id.startsWith("cohere.embed")) {
    const texts = Array.isArray(body.texts) ? body.texts.filter((t): t is string => typeof t === "string") : [];
    inputTokens = ctx.control.usage?.inputTokens ?? texts.reduce((n, t) => n + countWords(t), 0);
    const vectors = texts.map((t) => vector(t, 1024));
    const types = Array.isArray(body.embedding_types) ? body.embedding_types.filter((t): t is string => typeof t === "string") : null;
    payload = types
      ? { id: ctx.requestId, embeddings: Object.fromEntries(types.map((t) => [t, vectors])), texts, response_type: "embeddings_by_type" }
      : { id: ctx.requestId, embeddings: vectors, texts, response_type: "embeddings_floats" };
  } else {
    return null;
  }
  const headers: Record<string, string> = ctx.control.omitUsageHeaders
    ? {}
    : { "X-Amzn-Bedrock-Input-Token-Count": String(inputTokens), "X-Amzn-Bedrock-Output-Token-Count": "0", "X-Amzn-Bedrock-Invocation-Latency": String(latencyMs(ctx)) };
  return jsonResponse(ctx, payload, 200, headers);
}

/** A deterministic unit vector from the text, so equal texts embed equally. */
function vector(text: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  const out = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 15), 2246822507) ^ i;
    const x = ((seed >>> 0) / 4294967296) * 2 - 1;
    out[i] = x;
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return out.map((x) => Math.round(x * scale * 1e6) / 1e6);
}
