import { BEDROCK_REGION_HEADER } from "@bedrock-gateway/protocol";
import { failoverRouteFor, type FailoverConfig } from "../failover/failover-config.ts";
import type { BedrockCall } from "../pipeline/context.ts";
import { refuse, type Refusal } from "../pipeline/refusal.ts";
import type { CallStep } from "../pipeline/step.ts";
import { profileResidency, type ProfileResidencyOptions } from "./profile-residency.ts";

export interface RegionPolicyOptions {
  /** A team's allowed_regions (cached like budgets); null when the team has no row. */
  team: (teamId: string) => Promise<{ allowedRegions: string[] } | null>;
  failover: FailoverConfig;
  /** Where an inference profile may route a call (GetInferenceProfile, cached). */
  profiles: ProfileResidencyOptions;
}

export interface RegionPolicyStep extends CallStep {
  /**
   * Before a failover attempt elsewhere (another region, or a profile standing in for the model): why the call's
   * allowed regions rule it out (a profile that may route outside them), or undefined.
   */
  admitTarget(call: BedrockCall, region: string, model: string): Promise<string | undefined>;
}

/**
 * Data residency: a key's `allowed_regions`, intersected with its team's, bound where the call may be served.
 * A client's `x-bedrock-region` outside them is refused (403 AccessDeniedException, before Bedrock); without the
 * header, a gateway default region outside them is replaced by the first allowed region of the call's failover
 * route (else the first allowed region). A call through an inference profile, which Bedrock may serve from another
 * region than the one it is sent to, is allowed only when every region the profile routes to is allowed
 * (profile-residency.ts). The set is kept on the call, and failover never leaves it.
 */
export function regionPolicyStep(options: RegionPolicyOptions): RegionPolicyStep {
  const { team, failover } = options;
  const residency = profileResidency(options.profiles);

  const regionRefusal = async (call: BedrockCall, allowed: readonly string[]): Promise<Refusal | undefined> => {
    if (allowed.length === 0) return refuse.accessDenied("This gateway key's allowed_regions and its team's have no region in common; no region may serve it.");
    if (!allowed.includes(call.region)) {
      if (call.request.headers.has(BEDROCK_REGION_HEADER)) {
        return refuse.accessDenied(`This gateway key may not call Bedrock in ${call.region}; allowed_regions: ${allowed.join(", ")}.`);
      }
      const routed = failoverRouteFor(failover, call.modelId)?.targets.find((t) => t.region !== null && allowed.includes(t.region))?.region;
      call.region = routed ?? allowed[0]!;
    }
    // The control plane's own reads (GetInferenceProfile, ListFoundationModels...) send no data to a model.
    if (call.modelId === null || call.route.service === "bedrock") return undefined;
    return (await residency(call.modelId, call.region, allowed))?.refusal;
  };

  return {
    name: "region-policy",
    async admit(call) {
      if (call.principal.kind !== "virtual") return undefined;
      const key = call.principal.key;
      let allowed: readonly string[] | null = key.allowedRegions.length ? key.allowedRegions : null;
      const teamRegions = key.teamId === null ? null : (await team(key.teamId))?.allowedRegions;
      if (teamRegions?.length) allowed = allowed === null ? teamRegions : allowed.filter((region) => teamRegions.includes(region));
      if (allowed === null) return undefined;
      call.allowedRegions = allowed;
      return regionRefusal(call, allowed);
    },
    async admitTarget(call, region, model) {
      if (!call.allowedRegions) return undefined;
      return (await residency(model, region, call.allowedRegions))?.skipped;
    },
  };
}
