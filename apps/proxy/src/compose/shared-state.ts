import type { GatewayConfig } from "../config.ts";
import type { ReadinessCheck } from "../admin/health.ts";
import type { KeyInvalidation } from "../keys/invalidation.ts";
import { redisInvalidation } from "../keys/redis-invalidation.ts";
import { failoverLimiter } from "../limits/failover-limiter.ts";
import { localLimiter } from "../limits/local-limiter.ts";
import type { RateLimiter } from "../limits/rate-limiter.ts";
import { redisLimiter } from "../limits/redis-limiter.ts";
import { log } from "../log.ts";
import type { BudgetLedger } from "../spend/ledger.ts";
import { redisBudgetLedger } from "../spend/redis-ledger.ts";
import type { Store } from "../store/types.ts";
import type { RedisConnection } from "../redis/connection.ts";

/** What instances share: counters and key invalidation. In-process without REDIS_URL. */
export interface SharedState {
  limiter: RateLimiter;
  /** Undefined without Redis: the key setup picks PostgreSQL NOTIFY or in-process. */
  invalidation?: KeyInvalidation;
  /** The command connection, for other shared counters (budgets); null without Redis. */
  redis: RedisConnection | null;
  prefix: string;
  readiness: Record<string, ReadinessCheck>;
  close(): Promise<void>;
}

/** Connects to REDIS_URL when set. A Redis that is down at start is not fatal: the gateway starts degraded. */
export async function openSharedState(config: Pick<GatewayConfig, "redisUrl" | "redisPrefix">, startupWaitMs = 2_000): Promise<SharedState> {
  const local = localLimiter();
  const prefix = config.redisPrefix;
  if (!config.redisUrl) return { limiter: local, redis: null, prefix, readiness: {}, close: async () => {} };

  // Loaded only when used: the Redis client is the largest module the gateway has (~10 MB of memory at rest).
  const { connectRedis, waitForRedis } = await import("../redis/connection.ts");
  const redis = connectRedis({ url: config.redisUrl, name: "commands" });
  const subscriber = connectRedis({ url: config.redisUrl, name: "subscriber", degradedMeaning: "key changes reach other instances when their caches expire" });
  if (!(await waitForRedis(redis, startupWaitMs))) log.warn("starting without redis: local limits until it answers");
  await waitForRedis(subscriber, redis.healthy ? startupWaitMs : 0);
  const invalidation = await redisInvalidation({ publisher: redis, subscriber, prefix });
  return {
    limiter: failoverLimiter({ connection: redis, shared: redisLimiter(redis.client, prefix, { floor: local.peek }), local }),
    invalidation,
    redis,
    prefix,
    readiness: { redis: async () => redis.status() },
    async close() {
      await invalidation.close();
      await redis.close();
    },
  };
}

/** Budget counters shared in Redis (with an in-process fallback) when REDIS_URL is set; undefined: the spend setup's own in-process ledger. */
export function budgetLedgerFor(shared: SharedState, store: Store): BudgetLedger | undefined {
  return shared.redis ? redisBudgetLedger({ connection: shared.redis, store, prefix: shared.prefix }) : undefined;
}
