import { decodeLabel } from "../bedrock/raw-path.ts";

/** Geography prefixes of cross-region (system-defined) inference profiles: `us.anthropic.claude-...`. */
export const INFERENCE_PROFILE_PREFIXES = ["us", "us-gov", "eu", "apac", "global", "ca", "jp", "au"] as const;

export type ModelIdKind =
  | "model-id"
  | "inference-profile"
  | "foundation-model-arn"
  | "inference-profile-arn"
  | "application-inference-profile"
  | "mapped-arn"
  | "unknown-arn";

export interface ResolvedModelId {
  /** The base foundation model id (what the price table is keyed by); null when it cannot be known. */
  baseModelId: string | null;
  kind: ModelIdKind;
  /** Geography of a cross-region inference profile (`us`, `eu`, `global`...). */
  profilePrefix?: string;
  /** Why `baseModelId` is null. */
  reason?: string;
}

const ARN = /^arn:aws[a-z-]*:bedrock:([^:]*):([^:]*):([a-z-]+)\/(.+)$/;

/** `us.anthropic.claude-...` → `{ id: "anthropic.claude-...", prefix: "us" }`; other ids unchanged. */
export function stripProfilePrefix(id: string): { id: string; prefix?: string } {
  const dot = id.indexOf(".");
  if (dot <= 0) return { id };
  const head = id.slice(0, dot);
  // A base id is `provider.model`: only strip when what remains still has a provider segment.
  if ((INFERENCE_PROFILE_PREFIXES as readonly string[]).includes(head) && id.indexOf(".", dot + 1) > dot + 1) {
    return { id: id.slice(dot + 1), prefix: head };
  }
  return { id };
}

/**
 * Resolves what a request names as its model (path label, possibly still percent-encoded) to the base
 * foundation model id:
 * - `anthropic.claude-3-5-sonnet-20240620-v1:0` → itself
 * - `us.` / `eu.` / `apac.` / `global.` ... inference profile ids → the id without the prefix
 * - `arn:aws:bedrock:REGION::foundation-model/ID` → ID; `arn:...:inference-profile/us.ID` → ID
 * - any other ARN (application inference profiles, provisioned or custom models) → the operator's mapping, else unknown
 *
 * @example resolveModelId("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", { "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc": "anthropic.claude-3-haiku-20240307-v1:0" })
 */
export function resolveModelId(modelId: string, applicationProfiles: Readonly<Record<string, string>> = {}): ResolvedModelId {
  const id = decodeLabel(modelId.trim());
  const arn = ARN.exec(id);
  if (!arn) {
    const stripped = stripProfilePrefix(id);
    return stripped.prefix
      ? { baseModelId: stripped.id, kind: "inference-profile", profilePrefix: stripped.prefix }
      : { baseModelId: id, kind: "model-id" };
  }
  const mapped = applicationProfiles[id];
  if (mapped !== undefined) {
    const target = stripProfilePrefix(decodeLabel(mapped.trim()));
    return { baseModelId: target.id, kind: arn[3] === "application-inference-profile" ? "application-inference-profile" : "mapped-arn", ...(target.prefix ? { profilePrefix: target.prefix } : {}) };
  }
  const [, , , resource, rest] = arn;
  if (resource === "foundation-model") return { baseModelId: rest, kind: "foundation-model-arn" };
  if (resource === "inference-profile") {
    const stripped = stripProfilePrefix(rest);
    return { baseModelId: stripped.id, kind: "inference-profile-arn", ...(stripped.prefix ? { profilePrefix: stripped.prefix } : {}) };
  }
  const kind: ModelIdKind = resource === "application-inference-profile" ? "application-inference-profile" : "unknown-arn";
  return { baseModelId: null, kind, reason: `${resource} ARN ${id} has no model mapping (set applicationInferenceProfiles in the price table override)` };
}

