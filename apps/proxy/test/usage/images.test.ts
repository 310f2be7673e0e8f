import { describe, expect, it } from "vitest";
import { blankPngBase64 } from "@bedrock-gateway/bedrock-emulator";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { pngPixels } from "../../src/usage/images.ts";
import { feed, json, ok } from "./frames.ts";

const meter = (modelId: string, request: unknown, options: { maxBodyBytes?: number; headers?: Record<string, string> } = {}) =>
  createUsageMeter("invoke", { modelId, ...ok(options.headers), requestBody: json(request), ...(options.maxBodyBytes && { maxBodyBytes: options.maxBodyBytes }) });

describe("image generation is metered in images, by size and quality", () => {
  it("reads a PNG's size from its header", () => {
    expect(pngPixels(blankPngBase64(1280, 720))).toBe(1280 * 720);
    expect(pngPixels(btoa("\xff\xd8\xff\xe0 a JPEG, not a PNG"))).toBeNull();
    expect(pngPixels("not base64 at all!")).toBeNull();
  });

  it("Nova Canvas: the answer's images, sized from the images, quality from the request", () => {
    const request = { taskType: "TEXT_IMAGE", textToImageParams: { text: "a cat" }, imageGenerationConfig: { numberOfImages: 3, quality: "premium", width: 2048, height: 1024 } };
    const answer = { images: [blankPngBase64(2048, 1024), blankPngBase64(2048, 1024), blankPngBase64(2048, 1024)] };
    // Token-count headers, if Bedrock sent them, do not make an image call token-priced.
    expect(feed(meter("amazon.nova-canvas-v1:0", request, { headers: { "x-amzn-bedrock-input-token-count": "7", "x-amzn-bedrock-output-token-count": "0" } }), [json(answer)])).toMatchObject({
      inputTokens: 0,
      units: { images: [{ count: 3, quality: "premium", pixels: 2048 * 1024 }] },
      source: "invoke-body",
      complete: true,
    });
  });

  it("an edit task without a size in the request (background removal) is sized from the image made", () => {
    const request = { taskType: "BACKGROUND_REMOVAL", backgroundRemovalParams: { image: "..." } };
    expect(feed(meter("us.amazon.nova-canvas-v1:0", request), [json({ images: [blankPngBase64(640, 480)] })])).toMatchObject({ units: { images: [{ count: 1, quality: "standard", pixels: 640 * 480 }] } });
  });

  it("Titan Image Generator `{images, error}`; Stability `{seeds, images}`; SDXL artifacts (premium above 50 steps)", () => {
    const titan = feed(meter("amazon.titan-image-generator-v2:0", { taskType: "TEXT_IMAGE", imageGenerationConfig: { numberOfImages: 2 } }), [json({ images: [blankPngBase64(512, 512), blankPngBase64(512, 512)], error: null })]);
    expect(titan).toMatchObject({ units: { images: [{ count: 2, quality: "standard", pixels: 512 * 512 }] } });
    const sd = feed(meter("arn:aws:bedrock:us-west-2::foundation-model/stability.sd3-5-large-v1:0", { prompt: "a cat" }), [json({ seeds: [1], finish_reasons: [null], images: [blankPngBase64(1024, 1024)] })]);
    expect(sd).toMatchObject({ units: { images: [{ count: 1, pixels: 1024 * 1024 }] } });
    const sdxl = feed(meter("stability.stable-diffusion-xl-v1", { text_prompts: [{ text: "a cat" }], steps: 70, width: 1024, height: 1024 }), [json({ result: "success", artifacts: [{ seed: 1, base64: blankPngBase64(1024, 1024) }] })]);
    expect(sdxl).toMatchObject({ units: { images: [{ count: 1, quality: "premium", pixels: 1024 * 1024 }] } });
  });

  it("an answer too large to read is counted from the request, and says so", () => {
    const request = { taskType: "TEXT_IMAGE", imageGenerationConfig: { numberOfImages: 4, width: 1024, height: 1024 } };
    const answer = { images: Array.from({ length: 4 }, () => blankPngBase64(1024, 1024)) };
    expect(feed(meter("amazon.nova-canvas-v1:0", request, { maxBodyBytes: 1024 }), [json(answer)])).toMatchObject({
      units: { images: [{ count: 4, quality: "standard", pixels: 1024 * 1024 }] },
      source: "request-body",
      note: expect.stringContaining("counted from the request"),
    });
  });
});

describe("multimodal embeddings: images given as input are counted on top of the tokens", () => {
  const headers = { "x-amzn-bedrock-input-token-count": "12", "x-amzn-bedrock-output-token-count": "0" };
  const embed = (model: string, request: unknown) => feed(meter(model, request, { headers }), [json({ embedding: [0.1] })]);

  it("Titan Multimodal Embeddings `inputImage`, Cohere `images` and v4 interleaved image parts, Nova `image`", () => {
    expect(embed("amazon.titan-embed-image-v1", { inputText: "a red shoe", inputImage: "iVBORw0KGgo=" })).toMatchObject({ inputTokens: 12, units: { inputImages: 1 }, source: "invoke-headers" });
    expect(embed("cohere.embed-english-v3", { input_type: "image", images: ["data:image/png;base64,AAAA", "data:image/png;base64,BBBB"] })).toMatchObject({ units: { inputImages: 2 } });
    const interleaved = { input_type: "search_document", inputs: [{ content: [{ type: "text", text: "page 1" }, { type: "image_url", image_url: "data:image/png;base64,AAAA" }] }, { content: [{ type: "image_url", image_url: "data:..." }] }] };
    expect(embed("cohere.embed-v4:0", interleaved)).toMatchObject({ units: { inputImages: 2 } });
    expect(embed("amazon.nova-2-multimodal-embeddings-v1:0", { taskType: "SINGLE_EMBEDDING", singleEmbeddingParams: { embeddingPurpose: "GENERIC_INDEX", image: { format: "png", source: { bytes: "AAAA" } } } })).toMatchObject({ units: { inputImages: 1 } });
  });

  it("text only: no image units; Nova video or audio input: billed per second, unreported, so not priced", () => {
    expect(embed("amazon.titan-embed-image-v1", { inputText: "a red shoe" })?.units).toBeUndefined();
    expect(embed("amazon.nova-2-multimodal-embeddings-v1:0", { taskType: "SINGLE_EMBEDDING", singleEmbeddingParams: { video: { format: "mp4", source: { s3Location: { uri: "s3://b/v.mp4" } } } } })).toMatchObject({
      inputTokens: 12,
      source: "not-exposed",
      note: expect.stringContaining("video input per second"),
    });
  });
});
