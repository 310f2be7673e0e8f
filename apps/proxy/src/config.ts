import { parseModelLimits, type ModelLimits } from "./limits/model-limits.ts";
import { errorMessage } from "./error-message.ts";
import { parseFailover, type FailoverConfig } from "./failover/failover-config.ts";
import { spendJournalDir } from "./spend/journal.ts";

/**
 * Environment → typed configuration, validated once at start: the one place the gateway reads its environment
 * (besides the AWS credential chain, which the SDK reads). Every error names the variable and the form it takes.
 */
export interface GatewayConfig {
  port: number;
  hostname: string;
  /** Absent: local trial mode (loopback only, any bearer accepted). */
  masterKey: string | null;
  region: string;
  /**
   * Runtimes the calls go to (AWS_ENDPOINT_URL_BEDROCK_RUNTIME / _AGENT_RUNTIME / AWS_ENDPOINT_URL; a `{region}` in
   * them is the call's region); control planes (`bedrock`, `bedrock-agent`) asked which model a profile or agent runs.
   */
  endpoints: { runtime: string | null; agentRuntime: string | null; bedrock: string | null; bedrockAgent: string | null };
  /** GATEWAY_FAILOVER: where a call goes next when a region throttles or fails, attempt caps, breakers. */
  failover: FailoverConfig;
  databaseUrl: string;
  redisUrl: string | null;
  /** REDIS_PREFIX: prefix of every Redis key and channel the gateway uses (default `gw:`), to share one Redis. */
  redisPrefix: string;
  /** GATEWAY_MODEL_LIMITS: gateway-wide rpm/tpm per model (and region). */
  modelLimits: ModelLimits;
  /** SHUTDOWN_GRACE_MS: how long SIGTERM waits for in-flight calls and streams (default 30 s). */
  shutdownGraceMs: number;
  /** MAX_REQUEST_BODY_MB (default 128): larger request bodies are refused with a 413 before anything goes upstream. */
  maxRequestBodyBytes: number;
  /** BODY_READ_TIMEOUT_MS (default 120,000): how long an admitted call waits for its request body before a 408. */
  bodyReadTimeoutMs: number;
  /**
   * BODY_MIN_BYTES_PER_SEC (default 500; 0 turns it off): a body bringing less than this, averaged over each
   * BODY_MIN_RATE_WINDOW_MS (default 10,000; the first window is the grace period), is cut with a 408.
   */
  bodyMinBytesPerSec: number;
  bodyMinRateWindowMs: number;
  /** UPSTREAM_TIMEOUT_MS (default 300,000): how long Bedrock may take to start answering before the call is a 504. */
  upstreamTimeoutMs: number;
  /** GATEWAY_SECRET_KEY: encrypts the secrets of issued AWS-style credentials. Null: none can be issued or verified. */
  secretKey: string | null;
  /** KEY_CACHE_TTL_MS (default 5,000): how long a key, a user's, team's or end user's row is trusted without asking the store. */
  cacheTtlMs: number;
  /** KEY_CACHE_STALE_IF_ERROR_MS (default 600,000): while the store is down, keys read within this long still serve. */
  staleIfErrorMs: number;
  /** UI_SESSION_TTL_SECONDS (default 8 hours, at most 7 days): how long a sign-in to the admin page at /ui lasts. */
  uiSessionTtlSeconds: number;
  /** DENO_HTTP2_FRONT (default true): on Deno, the front that keeps the client's HTTP/2 GOAWAY from Deno.serve. */
  denoHttp2Front: boolean;
  spend: SpendConfig;
}

/** Spend settings from the environment, validated once at start. */
export interface SpendConfig {
  /** PRICE_TABLE_PATH: operator prices merged over the built-in table. */
  priceTablePath: string | null;
  /** STORE_REQUEST_BODIES=true: keep request/response bodies in spend logs (redacted, truncated to 64 KiB). */
  storeBodies: boolean;
  /** METRICS_REQUIRE_AUTH=true: /metrics needs the master key. */
  metricsRequireAuth: boolean;
  /** SPEND_FLUSH_INTERVAL_MS (default 250) and SPEND_BATCH_SIZE (default 200). */
  flushIntervalMs: number;
  batchSize: number;
  /** SPEND_MAX_QUEUE (default 100,000): rows kept while the store is down. */
  maxQueue: number;
  /** BUDGET_RESET_INTERVAL_MS (default 60,000): how often expired budget windows are reset in the store. */
  budgetResetIntervalMs: number;
  /** SPEND_JOURNAL_DIR: write-ahead journal of unstored spend rows (`off`: none; default next to the database). */
  journalDir: string | null;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function readConfig(env: Env): GatewayConfig {
  const masterKey = nonEmpty(env.MASTER_KEY) ?? nonEmpty(env.LITELLM_MASTER_KEY);
  const databaseUrl = nonEmpty(env.DATABASE_URL) ?? "sqlite:./data/gateway.sqlite";
  const port = env.PORT ? Number(env.PORT) : 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0-65535, got ${env.PORT}`);
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
      runtime: endpointUrl(env, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME") ?? endpointUrl(env, "AWS_ENDPOINT_URL"),
      agentRuntime: endpointUrl(env, "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME") ?? endpointUrl(env, "AWS_ENDPOINT_URL"),
      bedrock: endpointUrl(env, "AWS_ENDPOINT_URL_BEDROCK") ?? endpointUrl(env, "AWS_ENDPOINT_URL"),
      bedrockAgent: endpointUrl(env, "AWS_ENDPOINT_URL_BEDROCK_AGENT") ?? endpointUrl(env, "AWS_ENDPOINT_URL"),
    },
    databaseUrl,
    redisUrl: nonEmpty(env.REDIS_URL),
    redisPrefix: nonEmpty(env.REDIS_PREFIX) ?? "gw:",
    modelLimits: modelLimitsOf(env.GATEWAY_MODEL_LIMITS),
    failover: failoverOf(env.GATEWAY_FAILOVER),
    shutdownGraceMs: nonNegative("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, 30_000),
    maxRequestBodyBytes: positive("MAX_REQUEST_BODY_MB", env.MAX_REQUEST_BODY_MB, 128, "a number of megabytes greater than 0, e.g. 128") * 1024 * 1024,
    bodyReadTimeoutMs: positive("BODY_READ_TIMEOUT_MS", env.BODY_READ_TIMEOUT_MS, 120_000, "a number of milliseconds greater than 0, e.g. 120000"),
    // Apache httpd's mod_reqtimeout has held request bodies to 500 bytes/s by default since 2.2.15; a 2G link
    // carries ten times that. 10 s outlasts TCP's retransmission backoff after three losses in a row (1 + 2 + 4 s).
    bodyMinBytesPerSec: int(env, "BODY_MIN_BYTES_PER_SEC", 500, 0, 1_000_000_000),
    bodyMinRateWindowMs: int(env, "BODY_MIN_RATE_WINDOW_MS", 10_000, 100, 3_600_000),
    upstreamTimeoutMs: positive("UPSTREAM_TIMEOUT_MS", env.UPSTREAM_TIMEOUT_MS, 300_000, "a number of milliseconds greater than 0, e.g. 300000"),
    secretKey,
    cacheTtlMs: int(env, "KEY_CACHE_TTL_MS", 5_000, 0, 3_600_000),
    staleIfErrorMs: int(env, "KEY_CACHE_STALE_IF_ERROR_MS", 600_000, 0, 86_400_000),
    uiSessionTtlSeconds: int(env, "UI_SESSION_TTL_SECONDS", 8 * 3600, 1, 7 * 86_400),
    denoHttp2Front: env.DENO_HTTP2_FRONT?.trim() ? flag(env, "DENO_HTTP2_FRONT") : true,
    spend: {
      priceTablePath: nonEmpty(env.PRICE_TABLE_PATH),
      storeBodies: flag(env, "STORE_REQUEST_BODIES"),
      metricsRequireAuth: flag(env, "METRICS_REQUIRE_AUTH"),
      flushIntervalMs: int(env, "SPEND_FLUSH_INTERVAL_MS", 250, 10, 60_000),
      batchSize: int(env, "SPEND_BATCH_SIZE", 200, 1, 1000),
      maxQueue: int(env, "SPEND_MAX_QUEUE", 100_000, 1000, 10_000_000),
      budgetResetIntervalMs: int(env, "BUDGET_RESET_INTERVAL_MS", 60_000, 1000, 86_400_000),
      journalDir: spendJournalDir(env.SPEND_JOURNAL_DIR, databaseUrl),
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

function failoverOf(value: string | undefined): FailoverConfig {
  try {
    return parseFailover(nonEmpty(value));
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

function positive(name: string, value: string | undefined, fallback: number, form: string): number {
  const v = nonEmpty(value);
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be ${form}, got ${v}`);
  return n;
}

function nonEmpty(value: string | undefined): string | null {
  return value && value.trim() !== "" ? value.trim() : null;
}

function endpointUrl(env: Env, name: string): string | null {
  const v = nonEmpty(env[name]);
  if (!v) return null;
  let url: URL | null = null;
  try {
    url = new URL(v.replaceAll("{region}", "us-east-1"));
  } catch {
    // reported below, with the variable's name
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new ConfigError(`${name} must be an http:// or https:// URL such as https://bedrock-runtime.us-east-1.amazonaws.com, got ${v}`);
  }
  return v.replace(/\/+$/, "");
}

function flag(env: Env, name: string): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (!v || v === "false" || v === "0") return false;
  if (v === "true" || v === "1") return true;
  throw new ConfigError(`${name} must be true or false, got ${env[name]}`);
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = env[name]?.trim();
  if (!v) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  return n;
}
