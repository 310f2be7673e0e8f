import { warnAtMostEvery } from "../log.ts";
import type { RedisConnection } from "../redis/connection.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { errorMessage } from "../error-message.ts";

/**
 * Redis while it is healthy, this instance's own counters while it is not (each instance then enforces the full
 * limit by itself). A Redis error on one call answers that call locally; sharing resumes as soon as Redis is back.
 * The local counters always shadow what this instance admitted, through Redis too: when Redis goes away they
 * already hold this window's count (an outage does not open a fresh window), and the Redis limiter re-asserts
 * them when it is back (a restart that lost every counter does not either). See redis-limiter.ts.
 */
export function failoverLimiter(options: { connection: RedisConnection; shared: RateLimiter; local: RateLimiter }): RateLimiter {
  const { connection, shared, local } = options;
  const warn = warnAtMostEvery();
  const fallback = (error: unknown) => warn("redis rate-limit call failed: using local limits for it", { error: errorMessage(error) });
  const pick = () => (connection.healthy ? shared : local);

  return {
    get backend() {
      return pick().backend;
    },
    async hit(checks, windowMs, now) {
      const limiter = pick();
      if (limiter === local) return local.hit(checks, windowMs, now);
      try {
        const result = await shared.hit(checks, windowMs, now);
        if (result.ok) for (const check of checks) await local.add(check.scope, check.amount, windowMs, result.windowStart);
        return result;
      } catch (error) {
        fallback(error);
        return local.hit(checks, windowMs, now);
      }
    },
    async add(scope, amount, windowMs, windowStart) {
      await local.add(scope, amount, windowMs, windowStart);
      if (pick() === local) return;
      try {
        await shared.add(scope, amount, windowMs, windowStart);
      } catch (error) {
        fallback(error);
      }
    },
    async peek(scope, windowMs, now) {
      try {
        return await pick().peek(scope, windowMs, now);
      } catch {
        return local.peek(scope, windowMs, now);
      }
    },
  };
}
