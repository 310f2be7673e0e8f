/**
 * The read-only control-plane operations: those the gateway uses to learn which model a call ran on
 * (`bedrock` GetInferenceProfile, `bedrock-agent` GetAgent, GetAgentAlias, GetAgentVersion) and the slice it serves
 * its callers (`bedrock` ListFoundationModels, GetFoundationModel, ListInferenceProfiles, ListModelInvocationJobs,
 * GetModelInvocationJob). They are served on the same port as the runtimes (first path segments no runtime route
 * uses; agents with lowercase `agentaliases` / `agentversions`) and verified with SigV4 like everything else.
 */
import { notFound } from "../../errors.ts";
import type { EmulatorOptions } from "../../options.ts";
import { getFoundationModel, getModelInvocationJob, listFoundationModels, listModelInvocationJobs, page, systemProfiles } from "./catalog.ts";
import { DEFAULT_CONTROL_PLANE, type EmulatorAgent } from "./fixtures.ts";

export interface ControlPlaneMatch {
  operation:
    | "GetInferenceProfile"
    | "ListInferenceProfiles"
    | "ListFoundationModels"
    | "GetFoundationModel"
    | "ListModelInvocationJobs"
    | "GetModelInvocationJob"
    | "GetAgent"
    | "GetAgentAlias"
    | "GetAgentVersion";
  respond(region: string, now: Date): unknown;
}

type Query = Record<string, string | string[]>;

const ACCOUNT = "123456789012";

export function matchControlPlane(method: string, rawPath: string, options: EmulatorOptions, query: Query = {}): ControlPlaneMatch | null {
  if (method !== "GET") return null;
  let segs: string[];
  try {
    segs = rawPath.split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch {
    return null;
  }
  const profiles = { ...DEFAULT_CONTROL_PLANE.inferenceProfiles, ...options.controlPlane?.inferenceProfiles };
  const agents = { ...DEFAULT_CONTROL_PLANE.agents, ...options.controlPlane?.agents };

  // An application profile as GetInferenceProfile and ListInferenceProfiles describe it.
  const applicationProfile = (id: string, region: string, now: Date) => ({
    inferenceProfileName: id,
    description: "emulator application inference profile",
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    inferenceProfileArn: `arn:aws:bedrock:${region}:${ACCOUNT}:application-inference-profile/${id}`,
    models: profiles[id]!.map((modelArn) => ({ modelArn })),
    inferenceProfileId: id,
    status: "ACTIVE",
    type: "APPLICATION",
  });

  if (segs[0] === "inference-profiles" && segs.length === 1) {
    return {
      operation: "ListInferenceProfiles",
      respond(region, now) {
        // The SDK sends `typeEquals` as the query parameter `type`.
        const type = typeof query.type === "string" ? query.type : "SYSTEM_DEFINED";
        const all = type === "APPLICATION" ? Object.keys(profiles).map((id) => applicationProfile(id, region, now)) : systemProfiles(region);
        const { items, nextToken } = page<object>(all, query);
        return { inferenceProfileSummaries: items, ...(nextToken ? { nextToken } : {}) };
      },
    };
  }
  if (segs[0] === "inference-profiles" && segs.length === 2) {
    const identifier = segs[1]!;
    return {
      operation: "GetInferenceProfile",
      respond(region, now) {
        const id = identifier.startsWith("arn:") ? identifier.slice(identifier.lastIndexOf("/") + 1) : identifier;
        if (profiles[id]) return applicationProfile(id, region, now);
        const system = systemProfiles(region).find((p) => p.inferenceProfileId === id);
        if (!system) throw notFound(`Inference profile ${identifier} not found.`);
        return system;
      },
    };
  }
  if (segs[0] === "foundation-models" && segs.length <= 2) {
    const identifier = segs[1];
    return identifier === undefined
      ? { operation: "ListFoundationModels", respond: (region) => listFoundationModels(region, query) }
      : { operation: "GetFoundationModel", respond: (region) => getFoundationModel(region, identifier) };
  }
  if (segs[0] === "model-invocation-jobs" && segs.length === 1) {
    return { operation: "ListModelInvocationJobs", respond: (region) => listModelInvocationJobs(region, query) };
  }
  if (segs[0] === "model-invocation-job" && segs.length === 2) {
    const identifier = segs[1]!;
    return { operation: "GetModelInvocationJob", respond: (region) => getModelInvocationJob(region, identifier) };
  }
  if (segs[0] !== "agents" || segs.length < 2) return null;
  const agentId = segs[1]!;
  const agentOf = (): EmulatorAgent => {
    const agent = agents[agentId];
    if (!agent) throw notFound(`Agent ${agentId} not found.`);
    return agent;
  };
  const agentArn = (region: string) => `arn:aws:bedrock:${region}:${ACCOUNT}:agent/${agentId}`;
  if (segs.length === 2) {
    return {
      operation: "GetAgent",
      respond(region, now) {
        const agent = agentOf();
        return { agent: { agentId, agentName: agentId.toLowerCase(), agentArn: agentArn(region), agentVersion: "DRAFT", agentStatus: "PREPARED", foundationModel: agent.foundationModel, idleSessionTTLInSeconds: 600, agentResourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/emulator-agent`, createdAt: now.toISOString(), updatedAt: now.toISOString() } };
      },
    };
  }
  if (segs.length === 4 && segs[2] === "agentaliases") {
    const aliasId = segs[3]!;
    return {
      operation: "GetAgentAlias",
      respond(region, now) {
        const version = agentOf().aliases[aliasId];
        if (version === undefined) throw notFound(`Agent alias ${aliasId} of agent ${agentId} not found.`);
        return { agentAlias: { agentId, agentAliasId: aliasId, agentAliasName: aliasId.toLowerCase(), agentAliasArn: `arn:aws:bedrock:${region}:${ACCOUNT}:agent-alias/${agentId}/${aliasId}`, routingConfiguration: [{ agentVersion: version }], agentAliasStatus: "PREPARED", createdAt: now.toISOString(), updatedAt: now.toISOString() } };
      },
    };
  }
  if (segs.length === 4 && segs[2] === "agentversions") {
    const version = segs[3]!;
    return {
      operation: "GetAgentVersion",
      respond(region, now) {
        const agent = agentOf();
        const known = version === "DRAFT" || Object.values(agent.aliases).includes(version) || agent.versions?.[version] !== undefined;
        if (!known) throw notFound(`Version ${version} of agent ${agentId} not found.`);
        return { agentVersion: { agentId, agentName: agentId.toLowerCase(), agentArn: agentArn(region), version, agentStatus: "PREPARED", foundationModel: agent.versions?.[version] ?? agent.foundationModel, idleSessionTTLInSeconds: 600, agentResourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/emulator-agent`, createdAt: now.toISOString(), updatedAt: now.toISOString() } };
      },
    };
  }
  return null;
}

/** Runs a matched control-plane operation as a JSON response (errors AWS-shaped by the caller). */
export function controlPlaneResponse(match: ControlPlaneMatch, region: string, now: Date, headers: Record<string, string>): Response {
  const body = match.respond(region, now);
  return new Response(JSON.stringify(body), { status: 200, headers: { ...headers, "content-type": "application/json" } });
}
