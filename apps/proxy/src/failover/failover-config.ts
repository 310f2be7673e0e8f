import { isRegion } from "@bedrock-gateway/protocol";
import { readJsonSetting } from "../json-setting.ts";
import { modelPattern } from "../policy/allow-list.ts";

/** Where one attempt goes: a region, and the model id (or inference profile) to name there. Null model: the call's own. */
export interface FailoverTarget {
  region: string;
  model: string | null;
}

/** For calls whose model matches `model` (`*` wildcards): where to go, in order, when a region cannot serve. */
export interface FailoverRoute {
  model: string;
  pattern: RegExp;
  /** Region null: the call's own region (a profile tried in place before other regions). */
  targets: { region: string | null; model: string | null }[];
}

/** GATEWAY_FAILOVER, validated at start. */
export interface FailoverConfig {
  routes: FailoverRoute[];
  /** Per-region upstream origin (both Bedrock services), ahead of AWS_ENDPOINT_URL_*: tests, VPC endpoints. */
  endpoints: Record<string, string>;
  /** Attempts per call, the first included (default 3). */
  maxAttempts: number;
  /** No new attempt starts later than this after the call began (default 10,000 ms). */
  maxTotalMs: number;
  /** Full-jitter backoff before attempt n: random(0, min(backoffMaxMs, backoffBaseMs · 2^(n-2))). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive failures of one region and model that open its breaker (default 5). */
  breakerFailures: number;
  /** How long an open breaker skips the region before one probe call (default 30,000 ms). */
  breakerCooldownMs: number;
}

export const noFailover: FailoverConfig = {
  routes: [],
  endpoints: {},
  maxAttempts: 3,
  maxTotalMs: 10_000,
  backoffBaseMs: 25,
  backoffMaxMs: 1_000,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
};

const NAME = "GATEWAY_FAILOVER";
const fields = new Set(["routes", "endpoints", "max_attempts", "max_total_ms", "backoff_base_ms", "backoff_max_ms", "breaker_failures", "breaker_cooldown_ms"]);

/**
 * GATEWAY_FAILOVER: inline JSON or the path of a JSON file, e.g.
 * `{"routes": [{"model": "anthropic.claude-3-haiku-*", "regions": ["us-east-1", "us-west-2"]},
 *   {"model": "anthropic.claude-3-5-sonnet-*", "regions": [{"region": "us-east-1", "model": "us.anthropic.claude-3-5-sonnet-20240620-v1:0"}]}],
 *  "max_attempts": 3}`. Every error names the variable and the field.
 */
export function parseFailover(value: string | null): FailoverConfig {
  if (value === null) return noFailover;
  const raw = readJsonSetting(NAME, value);
  for (const name of Object.keys(raw)) if (!fields.has(name)) throw new Error(`${NAME}: unknown field "${name}" (${[...fields].join(", ")})`);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = raw[name];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new Error(`${NAME}.${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const config: FailoverConfig = {
    routes: routesOf(raw.routes),
    endpoints: endpointsOf(raw.endpoints),
    maxAttempts: int("max_attempts", noFailover.maxAttempts, 1, 10),
    maxTotalMs: int("max_total_ms", noFailover.maxTotalMs, 0, 600_000),
    backoffBaseMs: int("backoff_base_ms", noFailover.backoffBaseMs, 0, 60_000),
    backoffMaxMs: int("backoff_max_ms", noFailover.backoffMaxMs, 0, 60_000),
    breakerFailures: int("breaker_failures", noFailover.breakerFailures, 1, 1_000),
    breakerCooldownMs: int("breaker_cooldown_ms", noFailover.breakerCooldownMs, 1, 3_600_000),
  };
  return config;
}

function routesOf(value: unknown): FailoverRoute[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${NAME}.routes must be a list of {"model": "<pattern>", "regions": [...]}`);
  return value.map((route, i) => {
    const at = `${NAME}.routes[${i}]`;
    if (typeof route !== "object" || route === null || Array.isArray(route)) throw new Error(`${at} must be an object like {"model": "anthropic.*", "regions": ["us-east-1", "us-west-2"]}`);
    for (const name of Object.keys(route)) if (name !== "model" && name !== "regions") throw new Error(`${at}: unknown field "${name}" (model, regions)`);
    const { model, regions } = route as { model?: unknown; regions?: unknown };
    if (typeof model !== "string" || model === "") throw new Error(`${at}.model must be a model id or pattern such as "anthropic.claude-3-haiku-*"`);
    if (!Array.isArray(regions) || regions.length === 0) throw new Error(`${at}.regions must be a non-empty list of regions or {"region", "model"} objects`);
    return { model, pattern: modelPattern(model), targets: regions.map((entry, j) => targetOf(entry, `${at}.regions[${j}]`)) };
  });
}

function targetOf(entry: unknown, at: string): FailoverRoute["targets"][number] {
  if (typeof entry === "string") {
    if (!isRegion(entry)) throw new Error(`${at} is not an AWS region: ${JSON.stringify(entry)}`);
    return { region: entry, model: null };
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new Error(`${at} must be a region or {"region": "us-west-2", "model": "us.anthropic..."}`);
  for (const name of Object.keys(entry)) if (name !== "region" && name !== "model") throw new Error(`${at}: unknown field "${name}" (region, model)`);
  const { region, model } = entry as { region?: unknown; model?: unknown };
  if (region !== undefined && (typeof region !== "string" || !isRegion(region))) throw new Error(`${at}.region is not an AWS region: ${JSON.stringify(region)}`);
  if (model !== undefined && (typeof model !== "string" || model === "" || model.includes("*"))) throw new Error(`${at}.model must be a model id or inference profile id (no wildcards)`);
  if (region === undefined && model === undefined) throw new Error(`${at} needs a region, a model, or both`);
  return { region: (region as string | undefined) ?? null, model: (model as string | undefined) ?? null };
}

function endpointsOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${NAME}.endpoints must be an object like {"us-east-1": "https://vpce-....amazonaws.com"}`);
  const out: Record<string, string> = {};
  for (const [region, url] of Object.entries(value)) {
    if (!isRegion(region)) throw new Error(`${NAME}.endpoints: "${region}" is not an AWS region`);
    let parsed: URL | null = null;
    try {
      parsed = typeof url === "string" ? new URL(url) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) throw new Error(`${NAME}.endpoints["${region}"] must be an http(s) URL`);
    out[region] = (url as string).replace(/\/+$/, "");
  }
  return out;
}

/** The route for a model id, or null (the call goes to its one region, as without failover). */
export function failoverRouteFor(config: FailoverConfig, modelId: string | null): FailoverRoute | null {
  if (modelId === null) return null;
  return config.routes.find((route) => route.pattern.test(modelId)) ?? null;
}
