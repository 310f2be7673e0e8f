import { createRegistry, type Labels, type Registry } from "./registry.ts";

/** One finished (or refused) /bedrock request, as metrics see it. */
export interface RequestSample {
  /** Operation id, or `unknown`; refused-before-routing requests use `unrouted`. */
  operation: string;
  model: string | null;
  status: number;
  durationSeconds: number;
  ttfbSeconds: number | null;
  tokens?: { input: number; output: number; cacheRead: number; cacheWrite: number };
  spend?: number | null;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  record(sample: RequestSample): void;
  /** A gauge read at scrape time, e.g. the spend queue depth. */
  gauge(name: string, help: string, read: () => number): void;
}

/**
 * The gateway's metrics, labelled by operation, model and status. Model ids come from a fixed catalogue in
 * practice, but a flood of made-up ids must not grow the series without bound: past `maxModels` they are `other`.
 */
export function createGatewayMetrics(options: { maxModels?: number } = {}): GatewayMetrics {
  const maxModels = options.maxModels ?? 500;
  const registry = createRegistry();
  const requests = registry.counter("bedrock_gateway_requests_total", "Requests to /bedrock, by operation, model and status.");
  const errors = registry.counter("bedrock_gateway_errors_total", "Requests answered with status >= 400 (including refusals), by operation, model and status.");
  const tokens = registry.counter("bedrock_gateway_tokens_total", "Tokens billed by Bedrock, by operation, model and type (input, output, cache_read, cache_write).");
  const spend = registry.counter("bedrock_gateway_spend_usd_total", "USD spent (calls with a known price), by operation and model.");
  const unpriced = registry.counter("bedrock_gateway_unpriced_requests_total", "Metered calls whose cost is unknown (no price or no usage), by operation and model.");
  const duration = registry.histogram("bedrock_gateway_request_duration_seconds", "Time from request to the end of the response body, by operation and model.");
  const ttfb = registry.histogram("bedrock_gateway_ttfb_seconds", "Time from request to upstream's first byte, by operation and model.");
  const models = new Set<string>();

  const modelLabel = (model: string | null) => {
    if (model === null) return "";
    if (models.has(model)) return model;
    if (models.size >= maxModels) return "other";
    models.add(model);
    return model;
  };

  return {
    registry,
    gauge: (name, help, read) => registry.gauge(name, help, read),
    record(sample) {
      const base: Labels = { operation: sample.operation, model: modelLabel(sample.model) };
      const withStatus = { ...base, status: String(sample.status) };
      requests.inc(withStatus);
      if (sample.status >= 400) errors.inc(withStatus);
      duration.observe(base, sample.durationSeconds);
      if (sample.ttfbSeconds !== null) ttfb.observe(base, sample.ttfbSeconds);
      if (sample.tokens) {
        for (const [type, n] of [["input", sample.tokens.input], ["output", sample.tokens.output], ["cache_read", sample.tokens.cacheRead], ["cache_write", sample.tokens.cacheWrite]] as const) {
          if (n > 0) tokens.inc({ ...base, type }, n);
        }
      }
      if (sample.spend !== undefined) {
        if (sample.spend === null) unpriced.inc(base);
        else if (sample.spend > 0) spend.inc(base, sample.spend);
      }
    },
  };
}
