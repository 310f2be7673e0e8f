/**
 * The read-only control-plane operations the gateway uses to learn which model a call ran on:
 * `bedrock` GetInferenceProfile and `bedrock-agent` GetAgent, GetAgentAlias, GetAgentVersion. They are served on
 * the same port as the runtimes (first path segments `inference-profiles` and `agents` with lowercase
 * `agentaliases` / `agentversions`, which no runtime route uses) and verified with SigV4 like everything else.
 */
import { notFound } from "../../errors.ts";
import type { EmulatorOptions } from "../../options.ts";
import { DEFAULT_CONTROL_PLANE, type EmulatorAgent } from "./fixtures.ts";

export interface ControlPlaneMatch {
  operation: "GetInferenceProfile" | "GetAgent" | "GetAgentAlias" | "GetAgentVersion";
  respond(region: string, now: Date): unknown;
}

const ACCOUNT = "123456789012";

export function matchControlPlane(method: string, rawPath: string, options: EmulatorOptions): ControlPlaneMatch | null {
  if (method !== "GET") return null;
  let segs: string[];
  try {
    segs = rawPath.split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch {
    return null;
  }
  const profiles = { ...DEFAULT_CONTROL_PLANE.inferenceProfiles, ...options.controlPlane?.inferenceProfiles };
  const agents = { ...DEFAULT_CONTROL_PLANE.agents, ...options.controlPlane?.agents };

  if (segs[0] === "inference-profiles" && segs.length === 2) {
    const identifier = segs[1]!;
    return {
      operation: "GetInferenceProfile",
      respond(region, now) {
        const id = identifier.startsWith("arn:") ? identifier.slice(identifier.lastIndexOf("/") + 1) : identifier;
        const models = profiles[id];
        if (!models) throw notFound(`Inference profile ${identifier} not found.`);
        return {
          inferenceProfileName: id,
          description: "emulator application inference profile",
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          inferenceProfileArn: `arn:aws:bedrock:${region}:${ACCOUNT}:application-inference-profile/${id}`,
          models: models.map((modelArn) => ({ modelArn })),
          inferenceProfileId: id,
          status: "ACTIVE",
          type: "APPLICATION",
        };
      },
    };
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
