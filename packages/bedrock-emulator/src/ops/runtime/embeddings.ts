/**
 * InvokeModel on embedding models, with the bodies Bedrock returns: Titan Text Embeddings (v1, v2) and Titan
 * Multimodal Embeddings `{embedding, inputTextTokenCount}` (v2 also `embeddingsByType` when asked; the multimodal
 * model takes `inputImage` too), Cohere Embed `{id, embeddings, texts, images?, response_type}` (`texts`, `images`
 * or v4's interleaved `inputs`), Nova Multimodal Embeddings `{embeddings: [{embeddingType, embedding}]}`. Usage is
 * input text tokens only (output 0), in the token-count headers too; images are billed per image, not in tokens.
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
    const outputLength = isObject(body.embeddingConfig) ? body.embeddingConfig.outputEmbeddingLength : undefined;
    const dimensions =
      typeof body.dimensions === "number"
        ? body.dimensions
        : typeof outputLength === "number"
          ? outputLength
          : id.startsWith("amazon.titan-embed-text-v2") || id.startsWith("amazon.titan-embed-image")
            ? 1024
            : 1536;
    // The multimodal model averages the text and image embeddings; the image counts no tokens.
    const embedding = vector(typeof body.inputImage === "string" ? `${text}\u0000${body.inputImage.slice(0, 64)}` : text, dimensions);
    const types = Array.isArray(body.embeddingTypes) ? body.embeddingTypes.filter((t): t is string => typeof t === "string") : null;
    payload = {
      embedding,
      inputTextTokenCount: inputTokens,
      ...(types && id.startsWith("amazon.titan-embed-text-v2") && { embeddingsByType: Object.fromEntries(types.map((t) => [t, t === "binary" ? embedding.map((x) => (x > 0 ? 1 : 0)) : embedding])) }),
    };
  } else if (id.startsWith("cohere.embed")) {
    const texts = Array.isArray(body.texts) ? body.texts.filter((t): t is string => typeof t === "string") : [];
    const images = Array.isArray(body.images) ? body.images.filter((t): t is string => typeof t === "string") : [];
    // Embed v4's interleaved inputs: one embedding per input, from its text parts.
    const inputs = Array.isArray(body.inputs) ? body.inputs.map((input) => contentText(input)) : [];
    inputTokens = ctx.control.usage?.inputTokens ?? [...texts, ...inputs].reduce((n, t) => n + countWords(t), 0);
    const dimensions = typeof body.output_dimension === "number" ? body.output_dimension : id.startsWith("cohere.embed-v4") ? 1536 : 1024;
    const vectors = [...texts, ...images, ...inputs].map((t) => vector(t, dimensions));
    const types = Array.isArray(body.embedding_types) ? body.embedding_types.filter((t): t is string => typeof t === "string") : null;
    const echoed = { texts, ...(images.length && { images: images.map(() => ({ width: 1024, height: 1024, format: "png", bit_depth: 8 })) }) };
    payload = types || id.startsWith("cohere.embed-v4")
      ? { id: ctx.requestId, embeddings: Object.fromEntries((types ?? ["float"]).map((t) => [t, vectors])), ...echoed, response_type: "embeddings_by_type" }
      : { id: ctx.requestId, embeddings: vectors, ...echoed, response_type: "embeddings_floats" };
  } else if (id.startsWith("amazon.nova-2-multimodal-embeddings")) {
    const params = isObject(body.singleEmbeddingParams) ? body.singleEmbeddingParams : {};
    const text = isObject(params.text) && typeof params.text.value === "string" ? params.text.value : "";
    const type = isObject(params.image) ? "IMAGE" : isObject(params.video) ? "VIDEO" : isObject(params.audio) ? "AUDIO" : "TEXT";
    inputTokens = ctx.control.usage?.inputTokens ?? countWords(text);
    const dimensions = typeof params.embeddingDimension === "number" ? params.embeddingDimension : 3072;
    payload = { embeddings: [{ embeddingType: type, embedding: vector(text || type, dimensions) }] };
  } else {
    return null;
  }
  const headers: Record<string, string> = ctx.control.omitUsageHeaders
    ? {}
    : { "X-Amzn-Bedrock-Input-Token-Count": String(inputTokens), "X-Amzn-Bedrock-Output-Token-Count": "0", "X-Amzn-Bedrock-Invocation-Latency": String(latencyMs(ctx)) };
  return jsonResponse(ctx, payload, 200, headers);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The text parts of a Cohere v4 `inputs[]` entry (`{content: [{type: "text", text}, {type: "image_url", ...}]}`). */
function contentText(input: unknown): string {
  const content = isObject(input) && Array.isArray(input.content) ? input.content : [];
  return content.map((part) => (isObject(part) && part.type === "text" && typeof part.text === "string" ? part.text : "")).join(" ").trim();
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
