import { BEDROCK_REGION_HEADER } from "@bedrock-gateway/protocol";
import { failoverRouteFor, type FailoverConfig } from "../failover/failover-config.ts";
import type { BedrockCall } from "../pipeline/context.ts";
import { type BodyLimits, readCallBody } from "../pipeline/read-body.ts";
import { refuse, type Refusal } from "../pipeline/refusal.ts";
import type { CallStep } from "../pipeline/step.ts";
import { parseJson } from "../usage/json.ts";
import { bodyModelFields, modelsInBody } from "./body-models.ts";
import { profileResidency, type ProfileResidencyOptions } from "./profile-residency.ts";
import { decodeLabel } from "../bedrock/raw-path.ts";

export interface RegionPolicyOptions {
  /** A team's allowed_regions (cached like budgets); null when the team has no row. */
  team: (teamId: string) => Promise<{ allowedRegions: string[] } | null>;
  failover: FailoverConfig;
  /** Where an inference profile may route a call (GetInferenceProfile, cached). */
  profiles: ProfileResidencyOptions;
  /** The foundation model an agent alias runs (GetAgentAlias, GetAgent/GetAgentVersion, cached with pricing's lookup). */
  agentModel(agentId: string, agentAliasId: string, region: string): Promise<{ model: string } | { error: string; unavailable: boolean }>;
  /** A request body naming models is read at admission, within these limits (region-bound keys only). */
  body: BodyLimits;
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
 * (profile-residency.ts); so is a model the call names elsewhere: in its body (body-models.ts: StartAsyncInvoke's
 * `modelId`, RetrieveAndGenerate's `modelArn`, an inline agent's `foundationModel`, ...; the body is read now, for
 * region-bound keys only) or, for InvokeAgent, the agent alias's foundation model. The set is kept on the call,
 * and failover never leaves it.
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
    if (call.route.service === "bedrock") return undefined;
    if (call.modelId !== null) {
      const refused = await residency(call.modelId, call.region, allowed);
      if (refused) return refused.refusal;
    }
    return namedElsewhere(call, allowed);
  };

  const namedElsewhere = async (call: BedrockCall, allowed: readonly string[]): Promise<Refusal | undefined> => {
    const operation = call.route.operation?.operationId;
    if (operation === "InvokeAgent") return agentRefusal(call, allowed);
    const fields = operation === undefined ? undefined : bodyModelFields[operation];
    if (!fields) return undefined;
    const named = modelsInBody(fields, jsonOf(await readCallBody(call, options.body)));
    const refused = await Promise.all(named.map(({ field, model }) => residency(model, call.region, allowed, `body field ${field}`)));
    return refused.find((r) => r !== undefined)?.refusal;
  };

  const agentRefusal = async (call: BedrockCall, allowed: readonly string[]): Promise<Refusal | undefined> => {
    const [agentId, aliasId] = [decodeLabel(call.route.labels.agentId ?? ""), decodeLabel(call.route.labels.agentAliasId ?? "")];
    const agent = await options.agentModel(agentId, aliasId, call.region);
    const named = `the foundation model of agent ${agentId} alias ${aliasId}`;
    if ("model" in agent) return (await residency(agent.model, call.region, allowed, named))?.refusal;
    const message =
      `Data residency: ${named} could not be learned from Bedrock (GetAgentAlias in ${call.region}: ${agent.error}), ` +
      `and this gateway key may only reach ${allowed.join(", ")}; the call is refused.`;
    return agent.unavailable ? refuse.serviceUnavailable(message) : refuse.accessDenied(message);
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

/** A body that is not JSON names no model here: Bedrock answers it. */
function jsonOf(body: Uint8Array | null): unknown {
  try {
    return body ? parseJson(body) : undefined;
  } catch {
    return undefined;
  }
}

