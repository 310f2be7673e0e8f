import { refuse, type Refusal } from "../pipeline/refusal.ts";
import type { ProfileReach } from "../resolve/model-resolver.ts";

/** A system (`inference-profile/us.…`) or application (`application-inference-profile/…`) inference profile ARN. */
const PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(?:application-)?inference-profile\/.+$/;
/**
 * `<geography>.<provider>.<model>`: a cross-region (system) profile id, whatever its geography (`us.`, `eu.`,
 * `apac.`, `global.`, and any AWS adds later: the check fails closed). A foundation model id has one dot before
 * its version (`anthropic.claude-3-haiku-20240307-v1:0`).
 */
const PROFILE_ID = /^[a-z]+(?:-[a-z]+)*\.[^.:/]+\.[^/]+$/;

/** Whether a model id (decoded) names an inference profile, which Bedrock may serve from another region. */
export function namesInferenceProfile(modelId: string): boolean {
  return PROFILE_ARN.test(modelId) || (!modelId.startsWith("arn:") && PROFILE_ID.test(modelId));
}

export interface ProfileResidencyOptions {
  /** The control plane's answer, cached (resolve/model-resolver.ts `profileReach`). */
  reach(identifier: string, region: string): Promise<ProfileReach>;
}

/** Why a call through a profile may not go, as a refusal and as the short reason a skipped failover target shows. */
export interface ResidencyRefusal {
  refusal: Refusal;
  skipped: string;
}

/** Any other ARN (a foundation, custom or provisioned model, a SageMaker endpoint) names the one region it lives in. */
const REGIONAL_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/;

/**
 * Data residency through inference profiles: a call made in `region` through a profile is allowed only when every
 * region the profile may route to is in `allowed`; a global profile (any commercial region) never is. The regions
 * come from GetInferenceProfile; when they cannot be learned the call is refused too (fails closed). A model ARN
 * of another kind must name an allowed region. `named` says where the call names the model when not in its path
 * (a body field, an agent's foundation model), for the refusal.
 */
export function profileResidency(options: ProfileResidencyOptions) {
  return async function check(modelId: string, region: string, allowed: readonly string[], named?: string): Promise<ResidencyRefusal | undefined> {
    const of = named ? ` (${named})` : "";
    if (!namesInferenceProfile(modelId)) {
      const arnRegion = REGIONAL_ARN.exec(modelId)?.[1];
      if (!arnRegion || allowed.includes(arnRegion)) return undefined;
      return {
        refusal: refuse.accessDenied(`Data residency: model ${modelId}${of} is in ${arnRegion}, outside this gateway key's allowed_regions (${allowed.join(", ")}).`),
        skipped: "outside allowed_regions",
      };
    }
    const reach = await options.reach(modelId, region);
    if ("error" in reach) {
      const message =
        `Data residency: the regions inference profile ${modelId}${of} may route to could not be learned from Bedrock ` +
        `(GetInferenceProfile in ${region}: ${reach.error}), and this gateway key may only reach ${allowed.join(", ")}; the call is refused.`;
      return { refusal: reach.unavailable ? refuse.serviceUnavailable(message) : refuse.accessDenied(message), skipped: "profile regions unknown" };
    }
    const outside = reach.regions === "any" ? null : reach.regions.filter((r) => !allowed.includes(r));
    if (outside !== null && outside.length === 0) return undefined;
    const where = outside === null ? "any region (a global profile)" : `${outside.join(", ")}`;
    return {
      refusal: refuse.accessDenied(
        `Data residency: inference profile ${modelId}${of} may route to ${where}, outside this gateway key's allowed_regions (${allowed.join(", ")}). ` +
          "Call the model in an allowed region, or a profile whose regions are all allowed.",
      ),
      skipped: "outside allowed_regions",
    };
  };
}
