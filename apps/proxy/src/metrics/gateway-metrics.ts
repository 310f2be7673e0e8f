import { createRegistry, type Labels, type Registry } from "./registry.ts";

/** One finished (or refused) /bedrock request, as metrics see it. */
export interface RequestSample {
  /** Operation id, or `unknown`; requests refused before admission (bad path, route or key) use `unadmitted`. */
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

/** Label of calls for a model id no call has yet succeeded with (refused, unknown to Bedrock, made up). */
export const UNVERIFIED_MODEL = "unverified";
/** Label of models past `maxModels` or longer than `maxModelChars`, and of every series past `maxSeries`. */
export const OTHER = "other";

/**
 * The gateway's metrics, labelled by operation, model and status. A client chooses the model id it sends, and
 * `/metrics` may be open, so every label stays bounded: a model id becomes a label only once a call with it has
 * succeeded (Bedrock knew it); refused and failed calls for ids never seen succeed share `unverified`; ids longer
 * than `maxModelChars` or past `maxModels` are `other`; past `maxSeries` label sets, new ones fold into one series.
 */
export function createGatewayMetrics(options: { maxModels?: number; maxModelChars?: number; maxSeries?: number } = {}): GatewayMetrics {
  const maxModels = options.maxModels ?? 200;
  const maxModelChars = options.maxModelChars ?? 256;
  const maxSeries = options.maxSeries ?? 5_000;
  const registry = createRegistry();
  const requests = registry.counter("bedrock_gateway_requests_total", "Requests to /bedrock, by operation, model and status.");
  const errors = registry.counter("bedrock_gateway_errors_total", "Requests answered with status >= 400 (including refusals), by operation, model and status.");
  const tokens = registry.counter("bedrock_gateway_tokens_total", "Tokens billed by Bedrock, by operation, model and type (input, output, cache_read, cache_write).");
  const spend = registry.counter("bedrock_gateway_spend_usd_total", "USD spent (calls with a known price), by operation and model.");
  const unpriced = registry.counter("bedrock_gateway_unpriced_requests_total", "Metered calls whose cost is unknown (no price or no usage), by operation and model.");
  const duration = registry.histogram("bedrock_gateway_request_duration_seconds", "Time from request to the end of the response body, by operation and model.");
  const ttfb = registry.histogram("bedrock_gateway_ttfb_seconds", "Time from request to upstream's first byte, by operation and model.");
  const models = new Set<string>();

  const modelLabel = (model: string | null, status: number) => {
    if (model === null) return "";
    if (models.has(model)) return model;
    if (status >= 400) return UNVERIFIED_MODEL;
    if (model.length > maxModelChars || models.size >= maxModels) return OTHER;
    models.add(model);
    return model;
  };

  // Each request touches up to ten series, and finding them by label text on every count showed at saturation
  // (bench/README.md). They are found once per operation, model and status, and created only when first counted,
  // so the exposition shows no series that never counted anything.
  const bind = (operation: string, model: string, status: string) => {
    const base: Labels = { operation, model };
    const once = <T>(make: () => T) => {
      let made: T | undefined;
      return () => (made ??= make());
    };
    const withStatus = { ...base, status };
    return {
      requests: once(() => requests.with(withStatus)),
      errors: once(() => errors.with(withStatus)),
      duration: once(() => duration.with(base)),
      ttfb: once(() => ttfb.with(base)),
      tokens: {
        input: once(() => tokens.with({ ...base, type: "input" })),
        output: once(() => tokens.with({ ...base, type: "output" })),
        cache_read: once(() => tokens.with({ ...base, type: "cache_read" })),
        cache_write: once(() => tokens.with({ ...base, type: "cache_write" })),
      },
      spend: once(() => spend.with(base)),
      unpriced: once(() => unpriced.with(base)),
    };
  };
  const bound = new Map<string, Map<string, Map<number, ReturnType<typeof bind>>>>();
  let boundCount = 0;
  let overflow: ReturnType<typeof bind> | undefined;
  const seriesFor = (operation: string, model: string, status: number) => {
    let byModel = bound.get(operation);
    let byStatus = byModel?.get(model);
    const found = byStatus?.get(status);
    if (found) return found;
    if (boundCount >= maxSeries) return (overflow ??= bind(OTHER, OTHER, OTHER));
    if (!byModel) bound.set(operation, (byModel = new Map()));
    if (!byStatus) byModel.set(model, (byStatus = new Map()));
    const series = bind(operation, model, String(status));
    byStatus.set(status, series);
    boundCount++;
    return series;
  };

  return {
    registry,
    gauge: (name, help, read) => registry.gauge(name, help, read),
    record(sample) {
      const series = seriesFor(sample.operation, modelLabel(sample.model, sample.status), sample.status);
      series.requests().inc();
      if (sample.status >= 400) series.errors().inc();
      series.duration().observe(sample.durationSeconds);
      if (sample.ttfbSeconds !== null) series.ttfb().observe(sample.ttfbSeconds);
      if (sample.tokens) {
        const { input, output, cacheRead, cacheWrite } = sample.tokens;
        if (input > 0) series.tokens.input().inc(input);
        if (output > 0) series.tokens.output().inc(output);
        if (cacheRead > 0) series.tokens.cache_read().inc(cacheRead);
        if (cacheWrite > 0) series.tokens.cache_write().inc(cacheWrite);
      }
      if (sample.spend !== undefined) {
        if (sample.spend === null) series.unpriced().inc();
        else if (sample.spend > 0) series.spend().inc(sample.spend);
      }
    },
  };
}
