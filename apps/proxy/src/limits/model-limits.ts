import { errorMessage } from "../error-message.ts";
import { readJsonSetting } from "../json-setting.ts";

/** Requests and tokens per minute; either may be absent. */
export interface RateLimits {
  rpm?: number;
  tpm?: number;
}

/**
 * Gateway-wide limits per model and region, so no single team exhausts the account's Bedrock quota.
 * Keys: `<modelId>@<region>`, `<modelId>`, `*@<region>`, `*` (most specific wins). Bedrock quotas are per model
 * and region, so every entry is counted per model and region: `"*": {"rpm": 500}` gives each model in each
 * region its own 500 per minute.
 */
export type ModelLimits = Record<string, RateLimits>;

export class ModelLimitsError extends Error {}

/**
 * GATEWAY_MODEL_LIMITS: inline JSON (starts with `{`) or the path of a JSON file, e.g.
 * `{"anthropic.claude-3-haiku-20240307-v1:0": {"rpm": 1000, "tpm": 2000000}, "*@eu-west-1": {"rpm": 200}}`.
 */
export function parseModelLimits(value: string | null): ModelLimits {
  if (value === null) return {};
  let parsed: Record<string, unknown>;
  try {
    parsed = readJsonSetting("GATEWAY_MODEL_LIMITS", value);
  } catch (error) {
    throw new ModelLimitsError(errorMessage(error));
  }
  const limits: ModelLimits = {};
  for (const [model, entry] of Object.entries(parsed)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new ModelLimitsError(`GATEWAY_MODEL_LIMITS["${model}"] must be an object like {"rpm": 100, "tpm": 100000}`);
    const out: RateLimits = {};
    for (const [field, n] of Object.entries(entry)) {
      if (field !== "rpm" && field !== "tpm") throw new ModelLimitsError(`GATEWAY_MODEL_LIMITS["${model}"]: unknown field "${field}" (rpm, tpm)`);
      if (!Number.isInteger(n) || (n as number) < 0) throw new ModelLimitsError(`GATEWAY_MODEL_LIMITS["${model}"].${field} must be a non-negative integer`);
      out[field] = n as number;
    }
    limits[model] = out;
  }
  return limits;
}

/** The entry that applies to a model in a region, or null. */
export function modelLimitsFor(limits: ModelLimits, modelId: string, region: string): RateLimits | null {
  return limits[`${modelId}@${region}`] ?? limits[modelId] ?? limits[`*@${region}`] ?? limits["*"] ?? null;
}
