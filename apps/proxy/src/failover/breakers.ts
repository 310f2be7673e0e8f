import { setBounded } from "../cache/bounded-map.ts";

/** What a breaker lets through right now. */
export type BreakerState = "closed" | "probe" | "open";

/**
 * Circuit breakers per region and model, held by this instance only (every instance learns a region's trouble from
 * its own calls; sharing them would put a Redis round trip on every attempt for little gain: a handful of failed
 * calls per instance before it opens). After `failures` consecutive failures a region and model is skipped for
 * `cooldownMs`; then exactly one call probes it: success closes the breaker, failure opens it for another cool-down.
 */
export interface Breakers {
  /** Closed: go. Probe: go, and this call is the one probe (settle it with success, failure or release). Open: skip. */
  enter(region: string, model: string, now: number): BreakerState;
  success(region: string, model: string): void;
  failure(region: string, model: string, now: number): void;
  /** The call ended without a verdict on the region (client gone, refused before sending): let another probe go. */
  release(region: string, model: string): void;
  /** When the breaker of this region and model next lets a probe through (0: now). */
  reopensInMs(region: string, model: string, now: number): number;
  /** Open breakers per region, for metrics. */
  openByRegion(now: number): Map<string, number>;
}

interface Breaker {
  region: string;
  failures: number;
  openedAt: number | null;
  probing: boolean;
}

/** Region and model pairs tracked at most; past it the longest-unused pair is forgotten (closed). */
const MAX_TRACKED = 10_000;

export function createBreakers(options: { failures: number; cooldownMs: number }): Breakers {
  const { failures, cooldownMs } = options;
  const breakers = new Map<string, Breaker>();
  const keyOf = (region: string, model: string) => `${region}\u0000${model}`;

  return {
    enter(region, model, now) {
      const breaker = breakers.get(keyOf(region, model));
      if (!breaker || breaker.openedAt === null) return "closed";
      if (breaker.probing || now - breaker.openedAt < cooldownMs) return "open";
      breaker.probing = true;
      return "probe";
    },
    success(region, model) {
      breakers.delete(keyOf(region, model));
    },
    failure(region, model, now) {
      const key = keyOf(region, model);
      const breaker = breakers.get(key) ?? { region, failures: 0, openedAt: null, probing: false };
      breaker.failures++;
      breaker.probing = false;
      if (breaker.openedAt !== null || breaker.failures >= failures) breaker.openedAt = now;
      setBounded(breakers, key, breaker, MAX_TRACKED);
    },
    release(region, model) {
      const breaker = breakers.get(keyOf(region, model));
      if (breaker) breaker.probing = false;
    },
    reopensInMs(region, model, now) {
      const breaker = breakers.get(keyOf(region, model));
      return breaker?.openedAt == null ? 0 : Math.max(0, breaker.openedAt + cooldownMs - now);
    },
    openByRegion(now) {
      const open = new Map<string, number>();
      for (const breaker of breakers.values()) {
        if (breaker.openedAt !== null && (breaker.probing || now - breaker.openedAt < cooldownMs)) open.set(breaker.region, (open.get(breaker.region) ?? 0) + 1);
      }
      return open;
    },
  };
}
