import { log } from "../log.ts";
import { at, isObject } from "../usage/json.ts";
import type { ControlPlaneClient } from "./control-plane.ts";
import { type Resolution, type ResolutionCache, resolutionCache } from "./resolution-cache.ts";

export type { Resolution } from "./resolution-cache.ts";

/**
 * Where an inference profile may serve a call (GetInferenceProfile's `models`, one foundation-model ARN per
 * destination region): those regions, or `"any"` for a global profile (AWS: any commercial region), told by its
 * `global.` id, a model ARN without a region, or destinations in more than one geography. `unavailable`: the
 * control plane could not be asked (an outage), as opposed to a refusal (no such profile, no permission).
 */
export type ProfileReach = { regions: string[] | "any" } | { error: string; unavailable: boolean };

/** What GetInferenceProfile says of a profile: each model it runs, in the region named by its ARN ("" for none). */
interface ProfileDescription {
  models: { region: string; model: string }[];
}

/** What the request path does not say, asked of Bedrock's control planes with the gateway's credentials and cached. */
export interface ModelResolver {
  /**
   * An application inference profile ARN → the model id to price: the base id when the profile runs in one region,
   * `us.` / `eu.` / `apac.` + id when it routes within one geography, `global.` + id when across geographies.
   */
  inferenceProfile(arn: string): Promise<Resolution>;
  /** An agent alias → the foundation model of the version it routes to (an id, profile id or ARN). */
  agentModel(agentId: string, agentAliasId: string, region: string): Promise<Resolution>;
  /** The same alias's foundation model as the agent names it (data residency); `unavailable`: an outage. */
  agentFoundationModel(agentId: string, agentAliasId: string, region: string): Promise<{ model: string } | { error: string; unavailable: boolean }>;
  /**
   * The regions a profile (a system profile's id or ARN, an application profile's ARN) may serve a call from:
   * asked in the ARN's region, else in `region` (the call's: a system profile's destinations depend on its source).
   */
  profileReach(identifier: string, region: string): Promise<ProfileReach>;
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
/** Either kind of profile ARN (system `inference-profile/us.…` or `application-inference-profile/…`): its region. */
const ANY_PROFILE_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):\d*:(?:application-)?inference-profile\/(.+)$/;
const MODEL_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):\d*:foundation-model\/(.+)$/;

export function modelResolver(options: ModelResolverOptions): ModelResolver {
  const { client } = options;

  /** A control-plane fact, cached (see resolutionCache); each key's failure is logged once, until it succeeds again. */
  const cached = <V>(what: string, read: (key: string) => Promise<V>): ResolutionCache<V> =>
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

  /** Keyed by `region\nidentifier`: one answer serves pricing and data residency alike. */
  const profiles = cached("inference profile (GetInferenceProfile)", async (key) => {
    const [region, identifier] = key.split("\n") as [string, string];
    return describeProfile(await client.get("bedrock", region, `/inference-profiles/${encodeURIComponent(identifier)}`), identifier);
  });
  const profileKey = (identifier: string, region: string) => `${ANY_PROFILE_ARN.exec(identifier)?.[1] || region}\n${identifier}`;

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

  const modelOf = async (arn: string): Promise<Resolution> => {
    const described = await profiles.get(profileKey(arn, ""));
    if ("error" in described) return { error: described.error };
    const model = modelOfProfile(described.value);
    return model !== null ? { model } : { error: `GetInferenceProfile for ${arn} lists no single foundation model` };
  };

  return {
    async inferenceProfile(arn) {
      if (!PROFILE_ARN.test(arn)) return { error: `not an application inference profile ARN: ${arn}` };
      return modelOf(arn);
    },
    async agentModel(agentId, agentAliasId, region) {
      const agent = await agents.get(`${region}\n${agentId}\n${agentAliasId}`);
      if ("error" in agent) return { error: agent.error };
      // An agent may run on an application inference profile.
      return PROFILE_ARN.test(agent.value) ? modelOf(agent.value) : { model: agent.value };
    },
    async agentFoundationModel(agentId, agentAliasId, region) {
      const agent = await agents.get(`${region}\n${agentId}\n${agentAliasId}`);
      return "error" in agent ? agent : { model: agent.value };
    },
    async profileReach(identifier, region) {
      const described = await profiles.get(profileKey(identifier, region));
      if ("error" in described) return described;
      const { models } = described.value;
      const regions = [...new Set(models.map((m) => m.region))];
      const id = ANY_PROFILE_ARN.exec(identifier)?.[2] ?? identifier;
      const global = id.startsWith("global.") || regions.includes("") || new Set(regions.map(geographyOf)).size > 1;
      return { regions: global ? "any" : regions };
    },
  };
}

/** GetInferenceProfile's `models: [{modelArn}]`, each ARN split into its region and model id. */
function describeProfile(body: unknown, identifier: string): ProfileDescription {
  const listed = at(body, "models");
  const parsed = Array.isArray(listed) ? listed.map((m) => (isObject(m) && typeof m.modelArn === "string" ? MODEL_ARN.exec(m.modelArn) : null)) : [];
  if (parsed.length === 0 || parsed.includes(null)) throw new Error(`GetInferenceProfile for ${identifier} lists no foundation-model ARNs`);
  return { models: parsed.map((m) => ({ region: m![1]!, model: m![2]! })) };
}

/** The model id to price, with the profile's reach as its prefix; null when the profile runs several models. */
function modelOfProfile({ models }: ProfileDescription): string | null {
  const ids = new Set(models.map((m) => m.model));
  if (ids.size !== 1) return null;
  const model = [...ids][0]!;
  if (models.length === 1) return model;
  const geographies = new Set(models.map((m) => geographyOf(m.region)));
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
