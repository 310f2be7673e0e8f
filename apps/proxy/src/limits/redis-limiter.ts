import type Redis from "ioredis";
import { type HitResult, type LimitCheck, type RateLimiter, retryAfterSeconds, windowStartOf } from "./rate-limiter.ts";

/**
 * Each counter is a hash with one field per instance (what that instance admitted in the window); its count is the
 * sum of the fields. Before checking, each instance raises its own field to at least what it knows it admitted
 * (its local shadow count, `floor`): a Redis that restarted empty relearns every admission of an instance that
 * calls again, instead of opening a fresh window. Checks every counter, then increments every counter, in one
 * script, so N instances together admit exactly `limit` per window.
 * KEYS: one counter per check. ARGV: ttl ms, instance id, then (limit, amount, mode, floor) per check.
 * Returns 0, or the 1-based index of the refusing check.
 */
const HIT = `
local ttl = tonumber(ARGV[1])
local instance = ARGV[2]
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 4
  local limit = tonumber(ARGV[base + 1])
  local amount = tonumber(ARGV[base + 2])
  local floor = tonumber(ARGV[base + 4])
  local own = tonumber(redis.call('HGET', KEYS[i], instance) or '0')
  if own < floor then
    redis.call('HSET', KEYS[i], instance, floor)
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
  local count = 0
  for _, v in ipairs(redis.call('HVALS', KEYS[i])) do count = count + tonumber(v) end
  if ARGV[base + 3] == 'f' then
    if count + amount > limit then return i end
  elseif count >= limit then
    return i
  end
end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], instance, tonumber(ARGV[2 + (i - 1) * 4 + 2]))
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return 0
`;

/** Settles this instance's share of a counter (token estimates): never below zero, never recreated to go down. */
const ADD = `
local amount = tonumber(ARGV[1])
if amount < 0 and redis.call('HEXISTS', KEYS[1], ARGV[3]) == 0 then return 0 end
local count = redis.call('HINCRBY', KEYS[1], ARGV[3], amount)
if count < 0 then redis.call('HSET', KEYS[1], ARGV[3], 0) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return count
`;

const SUM = `
local count = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do count = count + tonumber(v) end
return count
`;

export interface RedisLimiterOptions {
  /** This instance's field in every counter. Default: random per process. */
  instanceId?: string;
  /** What this instance knows it admitted in the window (its local shadow count): re-asserted on each hit. */
  floor?: (scope: string, windowMs: number, now: number) => Promise<number>;
}

interface LimiterCommands {
  gwLimitHit(...args: (string | number)[]): Promise<number>;
  gwLimitAdd(key: string, amount: number, ttlMs: number, instance: string): Promise<number>;
  gwLimitSum(key: string): Promise<number>;
}

/**
 * Counters in Redis, shared by every instance: `<prefix>rl2:<scope>:<windowStart>` (hashes; `rl:` held the plain
 * counters of earlier versions), expiring two windows later.
 * Instances compute the window from their own clocks, so keep them NTP-synced (skew only matters at boundaries).
 * Scripts go by EVALSHA (ioredis reloads them after a Redis restart). Errors propagate: the failover limiter
 * decides what to do.
 */
export function redisLimiter(client: Redis, prefix = "gw:", options: RedisLimiterOptions = {}): RateLimiter {
  client.defineCommand("gwLimitHit", { lua: HIT });
  client.defineCommand("gwLimitAdd", { numberOfKeys: 1, lua: ADD });
  client.defineCommand("gwLimitSum", { numberOfKeys: 1, lua: SUM });
  const commands = client as unknown as LimiterCommands;
  const instance = options.instanceId ?? crypto.randomUUID();
  const keyOf = (scope: string, windowStart: number) => `${prefix}rl2:${scope}:${windowStart}`;

  return {
    backend: "redis",
    async hit(checks: LimitCheck[], windowMs: number, now = Date.now()): Promise<HitResult> {
      const windowStart = windowStartOf(now, windowMs);
      if (checks.length === 0) return { ok: true, windowStart };
      const args: (string | number)[] = [checks.length, ...checks.map((c) => keyOf(c.scope, windowStart)), windowMs * 2, instance];
      for (const check of checks) {
        const floor = options.floor ? await options.floor(check.scope, windowMs, now) : 0;
        args.push(check.limit, check.amount, check.mode === "fits" ? "f" : "b", floor);
      }
      const refused = Number(await commands.gwLimitHit(...args));
      if (refused === 0) return { ok: true, windowStart };
      return { ok: false, check: checks[refused - 1], retryAfterSeconds: retryAfterSeconds(now, windowMs) };
    },
    async add(scope, amount, windowMs, windowStart) {
      if (amount === 0) return;
      await commands.gwLimitAdd(keyOf(scope, windowStart), amount, windowMs * 2, instance);
    },
    async peek(scope, windowMs, now = Date.now()) {
      return Number(await commands.gwLimitSum(keyOf(scope, windowStartOf(now, windowMs))));
    },
  };
}
