/**
 * InvokeModel on image-generation models, with the bodies Bedrock returns (base64 PNGs that decode, of the size
 * asked for): Amazon Nova Canvas `{images}` and Titan Image Generator `{images, error}` (request
 * `imageGenerationConfig: {numberOfImages, width, height, quality}`), Stability AI's current models
 * `{seeds, finish_reasons, images}` (one image per call), and SDXL 1.0 `{result, artifacts: [{seed, base64}]}`.
 * Bedrock bills these per image, not per token, so no token-count headers are sent.
 */
import type { OpContext } from "../../context.ts";
import { validation } from "../../errors.ts";
import { blankPngBase64 } from "../../png.ts";
import { jsonResponse, latencyMs } from "../../responses.ts";

const PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;
/** Nova Canvas and Titan Image Generator: at most this many images per call, each side 256..4,096 px, at most 4.2 MP. */
const MAX_IMAGES = 5;
const MAX_PIXELS = 4_194_304;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export type ImageModel = "nova-canvas" | "titan-image" | "stability" | "stability-sdxl";

export function imageModelOf(modelId: string): ImageModel | null {
  const id = modelId.replace(PROFILE_PREFIX, "");
  if (id.startsWith("amazon.nova-canvas")) return "nova-canvas";
  if (id.startsWith("amazon.titan-image-generator")) return "titan-image";
  if (id.startsWith("stability.stable-diffusion-xl")) return "stability-sdxl";
  if (id.startsWith("stability.")) return "stability";
  return null;
}

/** The image-generation answer for an image model; null for any other model. */
export function imageResponse(ctx: OpContext, modelId: string): Response | null {
  const model = imageModelOf(modelId);
  if (!model) return null;
  const headers = { "X-Amzn-Bedrock-Invocation-Latency": String(latencyMs(ctx)) };
  const body = ctx.body;
  if (model === "stability") {
    const [width, height] = aspectSize(typeof body.aspect_ratio === "string" ? body.aspect_ratio : "1:1");
    return jsonResponse(ctx, { seeds: [seedOf(body.seed)], finish_reasons: [null], images: [blankPngBase64(width, height)] }, 200, headers);
  }
  if (model === "stability-sdxl") {
    const samples = intOr(body.samples, 1, "samples", 1, 1);
    const image = blankPngBase64(intOr(body.width, 1024, "width", 320, 1536), intOr(body.height, 1024, "height", 320, 1536));
    return jsonResponse(ctx, { result: "success", artifacts: Array.from({ length: samples }, () => ({ seed: seedOf(body.seed), base64: image, finishReason: "SUCCESS" })) }, 200, headers);
  }
  // Nova Canvas and Titan Image Generator share the request shape.
  const config = isObject(body.imageGenerationConfig) ? body.imageGenerationConfig : {};
  const count = intOr(config.numberOfImages, 1, "imageGenerationConfig.numberOfImages", 1, MAX_IMAGES);
  const width = intOr(config.width, 1024, "imageGenerationConfig.width", 256, 4096);
  const height = intOr(config.height, 1024, "imageGenerationConfig.height", 256, 4096);
  if (width * height > MAX_PIXELS) throw validation(`The image is ${width}x${height}: at most ${MAX_PIXELS} pixels are supported.`);
  if (config.quality !== undefined && config.quality !== "standard" && config.quality !== "premium") {
    throw validation(`imageGenerationConfig.quality must be standard or premium, got ${JSON.stringify(config.quality)}.`);
  }
  const images = Array.from({ length: count }, () => blankPngBase64(width, height));
  return jsonResponse(ctx, model === "titan-image" ? { images, error: null } : { images }, 200, headers);
}

function intOr(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw validation(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Stability's 1-megapixel sizes per aspect ratio. */
function aspectSize(ratio: string): [number, number] {
  const sizes: Record<string, [number, number]> = { "1:1": [1024, 1024], "16:9": [1344, 768], "9:16": [768, 1344], "3:2": [1216, 832], "2:3": [832, 1216], "5:4": [1088, 896], "4:5": [896, 1088], "21:9": [1536, 640], "9:21": [640, 1536] };
  const size = sizes[ratio];
  if (!size) throw validation(`aspect_ratio must be one of ${Object.keys(sizes).join(", ")}.`);
  return size;
}

function seedOf(seed: unknown): number {
  return typeof seed === "number" && Number.isInteger(seed) ? seed : 42;
}
