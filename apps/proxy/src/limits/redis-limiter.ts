import type Redis from "ioredis";
import { type HitResult, type LimitCheck, type RateLimiter, retryAfterSeconds, windowStartOf } from "./rate-limiter.ts";

/**
 * Checks every counter, then increments every counter, in one script: no other call can slip in between, so N
 * instances together admit exactly `limit` per window. KEYS: one counter per check (its window in the name).
 * ARGV: ttl ms, then (limit, amount, mode) per check. Returns 0, or the 1-based index of the refusing check.
 */
const HIT = `
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i * 3 - 1])
  local amount = tonumber(ARGV[i * 3])
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if ARGV[i * 3 + 1] == 'f' then
    if count + amount > limit then return i end
  elseif count >= limit then
    return i
  end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], tonumber(ARGV[i * 3]))
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return 0
`;

/** Settles a counter (token estimates): never below zero, never recreates an expired counter to go down. */
const ADD = `
local amount = tonumber(ARGV[1])
if amount < 0 and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = redis.call('INCRBY', KEYS[1], amount)
if count < 0 then redis.call('SET', KEYS[1], 0) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return count
`;

interface LimiterCommands {
  gwLimitHit(...args: (string | number)[]): Promise<number>;
  gwLimitAdd(key: string, amount: number, ttlMs: number): Promise<number>;
}

/**
 * Counters in Redis, shared by every instance: `<prefix>rl:<scope>:<windowStart>`, expiring two windows later.
 * Instances compute the window from their own clocks, so keep them NTP-synced (skew only matters at boundaries).
 * Scripts go by EVALSHA (ioredis reloads them after a Redis restart). Errors propagate: the failover limiter
 * decides what to do.
 */
export function redisLimiter(client: Redis, prefix = "gw:"): RateLimiter {
  client.defineCommand("gwLimitHit", { lua: HIT });
  client.defineCommand("gwLimitAdd", { numberOfKeys: 1, lua: ADD });
  const commands = client as unknown as LimiterCommands;
  const keyOf = (scope: string, windowStart: number) => `${prefix}rl:${scope}:${windowStart}`;

  return {
    backend: "redis",
    async hit(checks: LimitCheck[], windowMs: number, now = Date.now()): Promise<HitResult> {
      const windowStart = windowStartOf(now, windowMs);
      if (checks.length === 0) return { ok: true, windowStart };
      const args: (string | number)[] = [checks.length, ...checks.map((c) => keyOf(c.scope, windowStart)), windowMs * 2];
      for (const check of checks) args.push(check.limit, check.amount, check.mode === "fits" ? "f" : "b");
      const refused = Number(await commands.gwLimitHit(...args));
      if (refused === 0) return { ok: true, windowStart };
      return { ok: false, check: checks[refused - 1], retryAfterSeconds: retryAfterSeconds(now, windowMs) };
    },
    async add(scope, amount, windowMs, windowStart) {
      if (amount === 0) return;
      await commands.gwLimitAdd(keyOf(scope, windowStart), amount, windowMs * 2);
    },
    async peek(scope, windowMs, now = Date.now()) {
      return Number((await client.get(keyOf(scope, windowStartOf(now, windowMs)))) ?? 0);
    },
  };
}
