import { BEDROCK_REGION_HEADER } from "@bedrock-gateway/protocol";
import { failoverRouteFor, type FailoverConfig } from "../failover/failover-config.ts";
import { refuse } from "../pipeline/refusal.ts";
import type { CallStep } from "../pipeline/step.ts";

export interface RegionPolicyOptions {
  /** A team's allowed_regions (cached like budgets); null when the team has no row. */
  team: (teamId: string) => Promise<{ allowedRegions: string[] } | null>;
  failover: FailoverConfig;
}

/**
 * Data residency: a key's `allowed_regions`, intersected with its team's, bound where the call may be served.
 * A client's `x-bedrock-region` outside them is refused (403 AccessDeniedException, before Bedrock); without the
 * header, a gateway default region outside them is replaced by the first allowed region of the call's failover
 * route (else the first allowed region). The set is kept on the call, and failover never leaves it.
 */
export function regionPolicyStep(options: RegionPolicyOptions): CallStep {
  const { team, failover } = options;
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
      if (allowed.length === 0) return refuse.accessDenied("This gateway key's allowed_regions and its team's have no region in common; no region may serve it.");
      if (allowed.includes(call.region)) return undefined;
      if (call.request.headers.has(BEDROCK_REGION_HEADER)) {
        return refuse.accessDenied(`This gateway key may not call Bedrock in ${call.region}; allowed_regions: ${allowed.join(", ")}.`);
      }
      const routed = failoverRouteFor(failover, call.modelId)?.targets.find((t) => t.region !== null && allowed.includes(t.region))?.region;
      call.region = routed ?? allowed[0]!;
      return undefined;
    },
  };
}
