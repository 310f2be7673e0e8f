import { parseModelLimits, type ModelLimits } from "./limits/model-limits.ts";
import { errorMessage } from "./error-message.ts";
import { DEFAULT_BODY_PACE, type BodyPace } from "./bedrock/read-body.ts";

/** Environment → typed configuration, validated once at start. */
export interface GatewayConfig {
  port: number;
  hostname: string;
  /** Absent: local trial mode (loopback only, any bearer accepted). */
  masterKey: string | null;
  region: string;
  endpoints: { runtime: string | null; agentRuntime: string | null };
  databaseUrl: string;
  redisUrl: string | null;
  /** REDIS_PREFIX: prefix of every Redis key and channel the gateway uses (default `gw:`), to share one Redis. */
  redisPrefix: string;
  /** GATEWAY_MODEL_LIMITS: gateway-wide rpm/tpm per model (and region). */
  modelLimits: ModelLimits;
  /** SHUTDOWN_GRACE_MS: how long SIGTERM waits for in-flight calls and streams (default 30 s). */
  shutdownGraceMs: number;
  maxRequestBodyBytes: number;
  /** BODY_READ_TIMEOUT_MS and BODY_MIN_RATE_KIB_S: a request body must arrive within the first plus 1 s per the second. */
  bodyPace: BodyPace;
  /** GATEWAY_SECRET_KEY: encrypts the secrets of issued AWS-style credentials. Null: none can be issued or verified. */
  secretKey: string | null;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function readConfig(env: Env): GatewayConfig {
  const masterKey = nonEmpty(env.MASTER_KEY) ?? nonEmpty(env.LITELLM_MASTER_KEY);
  const port = env.PORT ? Number(env.PORT) : 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0-65535, got ${env.PORT}`);
  const shared = nonEmpty(env.AWS_ENDPOINT_URL);
  const secretKey = nonEmpty(env.GATEWAY_SECRET_KEY);
  if (secretKey !== null && secretKey.length < 32) {
    throw new ConfigError(`GATEWAY_SECRET_KEY must be at least 32 characters (got ${secretKey.length}); generate one with \`openssl rand -base64 48\`.`);
  }
  return {
    port,
    // Without a master key anyone could spend the account's money, so only this machine may connect.
    hostname: nonEmpty(env.HOST) ?? (masterKey ? "0.0.0.0" : "127.0.0.1"),
    masterKey,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_REGION_NAME) ?? "us-east-1",
    endpoints: {
      runtime: endpointUrl(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) ?? endpointUrl(shared),
      agentRuntime: endpointUrl(env.AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME) ?? endpointUrl(shared),
    },
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? "sqlite:./data/gateway.sqlite",
    redisUrl: nonEmpty(env.REDIS_URL),
    redisPrefix: nonEmpty(env.REDIS_PREFIX) ?? "gw:",
    modelLimits: modelLimitsOf(env.GATEWAY_MODEL_LIMITS),
    shutdownGraceMs: nonNegative("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, 30_000),
    maxRequestBodyBytes: env.MAX_REQUEST_BODY_MB ? Number(env.MAX_REQUEST_BODY_MB) * 1024 * 1024 : 128 * 1024 * 1024,
    secretKey,
    bodyPace: {
      graceMs: nonNegative("BODY_READ_TIMEOUT_MS", env.BODY_READ_TIMEOUT_MS, DEFAULT_BODY_PACE.graceMs),
      minBytesPerS: Math.max(1, nonNegative("BODY_MIN_RATE_KIB_S", env.BODY_MIN_RATE_KIB_S, DEFAULT_BODY_PACE.minBytesPerS / 1024) * 1024),
    },
  };
}

function modelLimitsOf(value: string | undefined): ModelLimits {
  try {
    return parseModelLimits(nonEmpty(value));
  } catch (error) {
    throw new ConfigError(errorMessage(error));
  }
}

function nonNegative(name: string, value: string | undefined, fallback: number): number {
  const v = nonEmpty(value);
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a non-negative number, got ${v}`);
  return n;
}

function nonEmpty(value: string | undefined): string | null {
  return value && value.trim() !== "" ? value.trim() : null;
}

function endpointUrl(value: string | undefined | null): string | null {
  const v = nonEmpty(value ?? undefined);
  if (!v) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`not a URL: ${v}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`endpoint must be http(s): ${v}`);
  return v.replace(/\/+$/, "");
}
