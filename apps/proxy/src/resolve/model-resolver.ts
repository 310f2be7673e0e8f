import { log } from "../log.ts";
import { at, isObject } from "../usage/json.ts";
import type { ControlPlaneClient } from "./control-plane.ts";
import { type Resolution, type ResolutionCache, resolutionCache } from "./resolution-cache.ts";

export type { Resolution } from "./resolution-cache.ts";

/** What the request path does not say, asked of Bedrock's control planes with the gateway's credentials and cached. */
export interface ModelResolver {
  /**
   * An application inference profile ARN → the model id to price: the base id when the profile runs in one region,
   * `us.` / `eu.` / `apac.` + id when it routes within one geography, `global.` + id when across geographies.
   */
  inferenceProfile(arn: string): Promise<Resolution>;
  /** An agent alias → the foundation model of the version it routes to (an id, profile id or ARN). */
  agentModel(agentId: string, agentAliasId: string, region: string): Promise<Resolution>;
}

export interface ModelResolverOptions {
  client: ControlPlaneClient;
  /** Default 10 minutes: a profile's or alias's model rarely changes, and a change shows within this. */
  ttlMs?: number;
  /** How long a refusal (404, 403: no such profile, no permission) is remembered. Default 1 minute. */
  failureTtlMs?: number;
  /**
   * How long an outage (5xx, network failure, no answer in time) is remembered. Default 5 s: meanwhile calls get the
   * last known model (stale-if-error) or the error at once, instead of each asking and waiting.
   */
  outageTtlMs?: number;
  /** A throttled lookup (429) is asked again after this long (not remembered as a refusal). Default 1 s. */
  throttleRetryMs?: number;
  /** How long a call waits for a lookup at admission. Default 2 s. */
  answerWithinMs?: number;
  /** Default 1,000 per kind. */
  maxEntries?: number;
  /** The clock, for tests. */
  now?: () => number;
}

const PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):\d*:application-inference-profile\/.+$/;
const MODEL_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):\d*:foundation-model\/(.+)$/;

export function modelResolver(options: ModelResolverOptions): ModelResolver {
  const { client } = options;

  /** A control-plane fact, cached (see resolutionCache); each key's failure is logged once, until it succeeds again. */
  const cached = (what: string, read: (key: string) => Promise<string>): ResolutionCache =>
    resolutionCache({
      read,
      ttlMs: options.ttlMs ?? 600_000,
      refusalTtlMs: options.failureTtlMs ?? 60_000,
      failureTtlMs: options.outageTtlMs ?? 5_000,
      throttleRetryMs: options.throttleRetryMs ?? 1_000,
      answerWithinMs: options.answerWithinMs ?? 2_000,
      maxEntries: options.maxEntries ?? 1_000,
      onFirstFailure: (key, error) => log.warn(`${what} lookup failed; calls that need it are logged with spend null until it succeeds (or priced at the last known model during an outage)`, { key: key.replaceAll("\n", " "), error }),
      ...(options.now && { now: options.now }),
    });

  const profiles = cached("application inference profile (GetInferenceProfile)", async (arn) => {
    const region = PROFILE_ARN.exec(arn)![1]!;
    return modelOfProfile(await client.get("bedrock", region, `/inference-profiles/${encodeURIComponent(arn)}`), arn);
  });

  const agents = cached("agent alias (GetAgentAlias, GetAgent/GetAgentVersion)", async (key) => {
    const [region, agentId, aliasId] = key.split("\n") as [string, string, string];
    const agentPath = `/agents/${encodeURIComponent(agentId)}`;
    const alias = await client.get("bedrock-agent", region, `${agentPath}/agentaliases/${encodeURIComponent(aliasId)}/`);
    const routing = at(alias, "agentAlias", "routingConfiguration");
    const version = Array.isArray(routing) ? at(routing[0], "agentVersion") : undefined;
    // DRAFT (or an alias without routing) runs the working draft, which GetAgent describes.
    const described =
      typeof version === "string" && version !== "DRAFT"
        ? at(await client.get("bedrock-agent", region, `${agentPath}/agentversions/${encodeURIComponent(version)}/`), "agentVersion", "foundationModel")
        : at(await client.get("bedrock-agent", region, `${agentPath}/`), "agent", "foundationModel");
    if (typeof described !== "string" || described === "") throw new Error(`agent ${agentId} (alias ${aliasId}, version ${String(version ?? "DRAFT")}) names no foundation model`);
    return described;
  });

  return {
    async inferenceProfile(arn) {
      if (!PROFILE_ARN.test(arn)) return { error: `not an application inference profile ARN: ${arn}` };
      return profiles.get(arn);
    },
    async agentModel(agentId, agentAliasId, region) {
      const agent = await agents.get(`${region}\n${agentId}\n${agentAliasId}`);
      // An agent may run on an application inference profile.
      return "model" in agent && PROFILE_ARN.test(agent.model) ? profiles.get(agent.model) : agent;
    },
  };
}

/** GetInferenceProfile's `models: [{modelArn}]` → the model id to price, with the profile's reach as its prefix. */
function modelOfProfile(body: unknown, arn: string): string {
  const models = at(body, "models");
  const parsed = Array.isArray(models) ? models.map((m) => (isObject(m) && typeof m.modelArn === "string" ? MODEL_ARN.exec(m.modelArn) : null)) : [];
  const ids = new Set(parsed.map((m) => m?.[2]));
  if (parsed.length === 0 || ids.has(undefined) || ids.size !== 1) throw new Error(`GetInferenceProfile for ${arn} lists no single foundation model`);
  const model = [...ids][0]!;
  const geographies = new Set(parsed.map((m) => geographyOf(m![1]!)));
  if (parsed.length === 1) return model;
  return geographies.size === 1 ? `${[...geographies][0]}.${model}` : `global.${model}`;
}

/** The inference-profile geography a region belongs to (`us-east-1` → `us`, `eu-west-3` → `eu`, `ap-south-1` → `apac`). */
function geographyOf(region: string): string {
  if (region.startsWith("us-gov-")) return "us-gov";
  if (region.startsWith("us-") || region.startsWith("ca-")) return "us";
  if (region.startsWith("eu-")) return "eu";
  if (region.startsWith("ap-")) return "apac";
  return region.split("-")[0]!;
}
