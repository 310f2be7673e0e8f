import type { CallStep } from "../pipeline/step.ts";
import type { Refusal } from "../pipeline/refusal.ts";
import type { GatewayMetrics } from "./gateway-metrics.ts";

export interface MetricsStep extends CallStep {
  /** A request refused before admission (bad path, unknown route, bad key): counted without an operation or model. */
  unadmitted(refusal: Refusal, startedAt: number): void;
}

/** Every call's request, error, latency, token and spend series (spend as priced by the price step). */
export function metricsStep(metrics: GatewayMetrics): MetricsStep {
  return {
    name: "metrics",
    record(call, outcome) {
      const usage = outcome.usage;
      metrics.record({
        operation: call.route.operation?.operationId ?? "unknown",
        model: call.modelId,
        status: outcome.status,
        durationSeconds: (outcome.endedAt - call.startedAt) / 1000,
        ttfbSeconds: outcome.upstream ? (outcome.upstream.firstByteAt - call.startedAt) / 1000 : null,
        tokens: {
          input: usage?.inputTokens ?? 0,
          output: usage?.outputTokens ?? 0,
          cacheRead: usage?.cacheReadInputTokens ?? 0,
          cacheWrite: usage?.cacheWriteInputTokens ?? 0,
        },
        spend: usage ? (call.cost?.spend ?? null) : undefined,
      });
    },
    unadmitted(refusal, startedAt) {
      metrics.record({ operation: "unadmitted", model: null, status: refusal.status, durationSeconds: (Date.now() - startedAt) / 1000, ttfbSeconds: null });
    },
  };
}
