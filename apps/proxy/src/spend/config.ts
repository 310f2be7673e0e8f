import { ConfigError, type Env } from "../config.ts";

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
}

export function readSpendConfig(env: Env): SpendConfig {
  return {
    priceTablePath: env.PRICE_TABLE_PATH?.trim() || null,
    storeBodies: flag(env, "STORE_REQUEST_BODIES"),
    metricsRequireAuth: flag(env, "METRICS_REQUIRE_AUTH"),
    flushIntervalMs: int(env, "SPEND_FLUSH_INTERVAL_MS", 250, 10, 60_000),
    batchSize: int(env, "SPEND_BATCH_SIZE", 200, 1, 1000),
    maxQueue: int(env, "SPEND_MAX_QUEUE", 100_000, 1000, 10_000_000),
    budgetResetIntervalMs: int(env, "BUDGET_RESET_INTERVAL_MS", 60_000, 1000, 86_400_000),
  };
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
