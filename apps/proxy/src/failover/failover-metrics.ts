import type { Registry } from "../metrics/registry.ts";
import type { Breakers } from "./breakers.ts";

export interface FailoverMetrics {
  /** One upstream attempt in `region`: `ok` (an answer to relay) or why it is tried elsewhere. */
  attempt(region: string, result: string): void;
  /** A call that failed in `from` is sent to `to`. */
  failover(from: string, to: string): void;
}

/**
 * Attempts, failovers and open breakers per region. Labels stay bounded: regions are region-shaped values the
 * operator or the allow-list admitted, and results are a handful of error types.
 */
export function failoverMetrics(registry: Registry, breakers: Breakers): FailoverMetrics {
  const attempts = registry.counter("bedrock_gateway_upstream_attempts_total", "Upstream attempts of calls with a failover route, by region and result (ok, or the error that made the gateway try elsewhere).");
  const failovers = registry.counter("bedrock_gateway_failovers_total", "Calls sent to another region after a throttle or failure, by the region left and the region tried.");
  registry.labelledGauge("bedrock_gateway_open_breakers", "Region and model pairs this instance skips now (circuit breaker open), by region.", () =>
    [...breakers.openByRegion(Date.now())].map(([region, count]) => [{ region }, count]),
  );
  return {
    attempt: (region, result) => attempts.inc({ region, result: result.startsWith("connection") ? "connection" : result }),
    failover: (from, to) => failovers.inc({ from, to }),
  };
}
