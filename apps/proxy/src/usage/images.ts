import { resolveModelId } from "../pricing/model-id.ts";
import { at, count, isObject } from "./json.ts";
import { requestJson } from "./request-body.ts";
import { type GeneratedImages, type Usage, zeroTokens } from "./types.ts";

/** The request shapes of Bedrock's image-generation models, which bill per image made instead of per token. */
export type ImageModel = "nova-canvas" | "titan-image" | "stability" | "stability-sdxl";

/** The image-generation family of a model id, inference profile id or foundation-model ARN; null for other models. */
export function imageModelOf(modelId: string | null): ImageModel | null {
  const id = modelId ? resolveModelId(modelId).baseModelId : null;
  if (!id) return null;
  if (id.startsWith("amazon.nova-canvas")) return "nova-canvas";
  if (id.startsWith("amazon.titan-image-generator")) return "titan-image";
  if (id.startsWith("stability.stable-diffusion-xl")) return "stability-sdxl";
  if (id.startsWith("stability.")) return "stability";
  return null;
}

interface Asked {
  count: number;
  quality: GeneratedImages["quality"];
  /** Width × height the request names; null when it names none (the model's default, or the input image's size). */
  pixels: number | null;
}

/**
 * What the request asks for: Nova Canvas and Titan `imageGenerationConfig {numberOfImages, width, height, quality}`,
 * SDXL `{samples, width, height, steps}` (more than 50 steps is premium), and one image per call for Stability's
 * current models.
 */
function asked(model: ImageModel, request: unknown): Asked {
  if (model === "stability") return { count: 1, quality: "standard", pixels: null };
  if (model === "stability-sdxl") {
    return { count: count(at(request, "samples")) ?? 1, quality: (count(at(request, "steps")) ?? 30) > 50 ? "premium" : "standard", pixels: area(at(request, "width"), at(request, "height")) };
  }
  const config = at(request, "imageGenerationConfig");
  return {
    count: count(at(config, "numberOfImages")) ?? 1,
    quality: at(config, "quality") === "premium" ? "premium" : "standard",
    pixels: area(at(config, "width"), at(config, "height")),
  };
}

/** Usage from the request alone: for an answer too large to read, the images it asked for. */
export function imagesFromRequest(model: ImageModel, requestBody: Uint8Array | null | undefined): Usage {
  const parsed = requestJson(requestBody);
  if ("problem" in parsed) return { ...zeroTokens(), source: "unreadable", note: `images not counted: ${parsed.problem}`, complete: false };
  const want = asked(model, parsed.json);
  return {
    ...zeroTokens(),
    units: { images: [{ count: want.count, quality: want.quality, pixels: want.pixels }] },
    source: "request-body",
    note: "images counted from the request (the answer was not read)",
    complete: true,
  };
}

/**
 * Usage from the answer: the images it carries (`images` base64 strings, or SDXL's `artifacts`), each sized from its
 * PNG header where it has one, else from the request; quality from the request. Null when the answer has no image list.
 */
export function imagesFromAnswer(model: ImageModel, answer: unknown, requestBody: Uint8Array | null | undefined): Usage | null {
  const list = at(answer, "images") ?? at(answer, "artifacts");
  if (!Array.isArray(list)) return null;
  const parsed = requestJson(requestBody);
  const want = "json" in parsed ? asked(model, parsed.json) : { quality: "standard" as const, pixels: null };
  const groups = new Map<string, GeneratedImages>();
  for (const item of list) {
    const base64 = typeof item === "string" ? item : isObject(item) && typeof item.base64 === "string" ? item.base64 : null;
    if (base64 === null) continue;
    const pixels = pngPixels(base64) ?? want.pixels;
    const key = `${pixels}`;
    const group = groups.get(key) ?? { count: 0, quality: want.quality, pixels };
    group.count++;
    groups.set(key, group);
  }
  return { ...zeroTokens(), units: { images: [...groups.values()] }, source: "invoke-body", complete: true };
}

/** Width × height from a base64 PNG's IHDR chunk (the first 24 bytes); null for any other format. */
export function pngPixels(base64: string): number | null {
  let head: string;
  try {
    head = atob(base64.slice(0, 32));
  } catch {
    return null;
  }
  if (head.length < 24 || head.slice(1, 4) !== "PNG" || head.slice(12, 16) !== "IHDR") return null;
  const u32 = (at: number) => ((head.charCodeAt(at) << 24) | (head.charCodeAt(at + 1) << 16) | (head.charCodeAt(at + 2) << 8) | head.charCodeAt(at + 3)) >>> 0;
  const pixels = u32(16) * u32(20);
  return pixels > 0 ? pixels : null;
}

function area(width: unknown, height: unknown): number | null {
  const w = count(width);
  const h = count(height);
  return w && h ? w * h : null;
}

/**
 * Images given to a multimodal embedding model, which Bedrock bills per image on top of the text tokens: Titan
 * Multimodal Embeddings `inputImage`, Cohere Embed `images` and v4's `inputs[].content[]` image parts, Nova Multimodal
 * Embeddings `singleEmbeddingParams.image`. Video and audio (Nova) are billed per second, which no request or answer
 * of a synchronous call states: `unpriced` says so. Null for text-only requests and other models.
 */
export function embeddingInputImages(modelId: string | null, requestBody: Uint8Array | null | undefined): { images: number } | { unpriced: string } | null {
  const id = modelId ? resolveModelId(modelId).baseModelId : null;
  if (!id || !(id.startsWith("amazon.titan-embed-image") || id.startsWith("cohere.embed") || id.startsWith("amazon.nova-2-multimodal-embeddings"))) return null;
  const parsed = requestJson(requestBody);
  if ("problem" in parsed) return null;
  const request = parsed.json;
  let images = 0;
  if (id.startsWith("amazon.titan-embed-image")) {
    images = typeof at(request, "inputImage") === "string" ? 1 : 0;
  } else if (id.startsWith("cohere.embed")) {
    const list = at(request, "images");
    images = Array.isArray(list) ? list.length : 0;
    const inputs = at(request, "inputs");
    if (Array.isArray(inputs)) {
      for (const input of inputs) {
        const content = at(input, "content");
        if (Array.isArray(content)) images += content.filter((part) => isObject(part) && (part.type === "image_url" || part.type === "image")).length;
      }
    }
  } else {
    const params = at(request, "singleEmbeddingParams");
    for (const media of ["video", "audio"] as const) {
      if (isObject(at(params, media))) return { unpriced: `Nova Multimodal Embeddings bills ${media} input per second, which a synchronous call does not report` };
    }
    images = isObject(at(params, "image")) ? 1 : 0;
  }
  return images > 0 ? { images } : null;
}
