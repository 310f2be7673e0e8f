import { warnAtMostEvery } from "../log.ts";
import type { RedisConnection } from "../redis/connection.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { errorMessage } from "../error-message.ts";

/**
 * Redis while it is healthy, this instance's own counters while it is not (each instance then enforces the full
 * limit by itself). A Redis error on one call answers that call locally; sharing resumes as soon as Redis is back.
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
        return await shared.hit(checks, windowMs, now);
      } catch (error) {
        fallback(error);
        return local.hit(checks, windowMs, now);
      }
    },
    async add(scope, amount, windowMs, windowStart) {
      const limiter = pick();
      try {
        await limiter.add(scope, amount, windowMs, windowStart);
      } catch (error) {
        fallback(error);
        await local.add(scope, amount, windowMs, windowStart);
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
