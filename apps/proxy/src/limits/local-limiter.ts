import { type HitResult, type LimitCheck, type RateLimiter, firstRefusal, retryAfterSeconds, windowStartOf } from "./rate-limiter.ts";

interface Counter {
  windowStart: number;
  count: number;
}

/** In-process counters with the same semantics as the Redis limiter: enough for one instance. */
export function localLimiter(): RateLimiter & { size(): number } {
  const counters = new Map<string, Counter>();
  let sweptAt = 0;

  const sweep = (now: number, windowMs: number) => {
    if (now - sweptAt < windowMs) return;
    sweptAt = now;
    const current = windowStartOf(now, windowMs);
    for (const [scope, counter] of counters) if (counter.windowStart < current) counters.delete(scope);
  };
  const countOf = (scope: string, windowStart: number) => {
    const counter = counters.get(scope);
    return counter && counter.windowStart === windowStart ? counter.count : 0;
  };

  return {
    backend: "local",
    size: () => counters.size,
    async hit(checks: LimitCheck[], windowMs: number, now = Date.now()): Promise<HitResult> {
      sweep(now, windowMs);
      const windowStart = windowStartOf(now, windowMs);
      const refused = firstRefusal(checks, checks.map((c) => countOf(c.scope, windowStart)));
      if (refused) return { ok: false, check: refused, retryAfterSeconds: retryAfterSeconds(now, windowMs) };
      for (const check of checks) counters.set(check.scope, { windowStart, count: countOf(check.scope, windowStart) + check.amount });
      return { ok: true, windowStart };
    },
    async add(scope, amount, _windowMs, windowStart) {
      const counter = counters.get(scope);
      if (counter && counter.windowStart === windowStart) counter.count = Math.max(0, counter.count + amount);
      else if (amount > 0 && (!counter || counter.windowStart < windowStart)) counters.set(scope, { windowStart, count: amount });
    },
    async peek(scope, windowMs, now = Date.now()) {
      return countOf(scope, windowStartOf(now, windowMs));
    },
  };
}
