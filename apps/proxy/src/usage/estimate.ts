import { imageModelOf, imagesFromRequest } from "./images.ts";
import type { Usage } from "./types.ts";

/**
 * An upper-bound guess of what a call will use, made before it is sent, for budget and TPM reservations: input
 * from the body's size (a token is rarely shorter than two bytes of JSON), output from the request's own limit
 * (`maxTokens`, `max_tokens`, ...) or else the model family's output cap. Settled with the real usage afterwards.
 */
export interface TokenEstimate {
  input: number;
  output: number;
}

const BYTES_PER_TOKEN = 2;
/** Output caps by model family, for calls that set no limit of their own (conservative: the largest in the family). */
const OUTPUT_CAPS: [RegExp, number][] = [
  [/anthropic\.claude-(3-7|sonnet-4|opus-4|haiku-4)/, 64_000],
  [/anthropic\.claude-3-5/, 8_192],
  [/anthropic\./, 4_096],
  [/amazon\.nova/, 10_000],
  [/amazon\.titan/, 8_192],
  [/meta\.llama/, 8_192],
  [/mistral\./, 8_192],
  [/cohere\./, 4_096],
  [/ai21\./, 4_096],
  [/deepseek\./, 32_768],
  [/openai\.gpt-oss/, 32_768],
];
const DEFAULT_OUTPUT_CAP = 8_192;
/** Operations that generate tokens; the others reserve their input only. */
const GENERATING = new Set(["Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream", "CreateChatCompletion", "CreateResponse", "CreateMessage"]);

export function estimateTokens(operation: string | null, modelId: string | null, body: Uint8Array | null): TokenEstimate {
  const bytes = body?.byteLength ?? 0;
  const input = Math.ceil(bytes / BYTES_PER_TOKEN);
  if (operation === null || !GENERATING.has(operation)) return { input, output: 0 };
  return { input, output: requestedMaxTokens(body) ?? outputCapOf(modelId) };
}

/** Image models' default size (Nova Canvas, Titan Image Generator, Stability): 1024 × 1024. */
const DEFAULT_IMAGE_PIXELS = 1024 * 1024;

/**
 * Image-generation calls bill per image, not per token: the images the request asks for, at the size it names or
 * else the models' default, as a usage to price for a budget reservation. Null for other models.
 */
export function estimatedImages(modelId: string | null, body: Uint8Array | null): Usage | null {
  const model = imageModelOf(modelId);
  if (model === null) return null;
  const usage = imagesFromRequest(model, body);
  for (const group of usage.units?.images ?? []) group.pixels ??= DEFAULT_IMAGE_PIXELS;
  return usage;
}

/** The estimate as a usage, to price it like a real one. */
export function estimatedUsage(estimate: TokenEstimate): Usage {
  return { inputTokens: estimate.input, outputTokens: estimate.output, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "converse-body", complete: true };
}

function outputCapOf(modelId: string | null): number {
  if (modelId === null) return DEFAULT_OUTPUT_CAP;
  for (const [family, cap] of OUTPUT_CAPS) if (family.test(modelId)) return cap;
  return DEFAULT_OUTPUT_CAP;
}

/** Converse `inferenceConfig.maxTokens`; the families' own fields for InvokeModel bodies (Anthropic's `max_tokens` for the Messages API too); OpenAI's for its API. */
function requestedMaxTokens(body: Uint8Array | null): number | null {
  if (!body || body.byteLength === 0 || body.byteLength > 4 * 1024 * 1024) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null) return null;
  const o = json as Record<string, any>;
  const candidates = [
    o.inferenceConfig?.maxTokens,
    o.inferenceConfig?.max_new_tokens,
    o.max_tokens,
    o.maxTokens,
    o.max_gen_len,
    o.textGenerationConfig?.maxTokenCount,
    o.max_tokens_to_sample,
    o.max_completion_tokens,
    o.max_output_tokens,
  ];
  for (const value of candidates) if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.ceil(value);
  return null;
}
