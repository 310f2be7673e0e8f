/** What the orchestrator asks of the load generator process, and what it gets back. */
export interface LoadSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Request body, written to a file so 20 MB bodies are not passed on a command line. */
  bodyFile?: string;
  /**
   * open: request k is sent at t0 + k/rate whatever happened to earlier ones; latency counts from that scheduled
   * instant, so a stall delays every request queued behind it (no coordinated omission).
   * closed: `concurrency` workers send `count` requests back to back (large bodies).
   */
  mode: "open" | "closed";
  rate?: number;
  durationS?: number;
  /** Sent at the same rate before measuring; their samples are dropped. */
  warmupS?: number;
  count?: number;
  concurrency?: number;
  /** Record each event-stream frame's arrival (ConverseStream). */
  stream?: { eventDelayMs: number };
  timeoutMs: number;
  /** h2: HTTP/2 cleartext with prior knowledge over a few multiplexed sessions; default HTTP/1.1 (fetch). */
  protocol?: "h1" | "h2";
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  n: number;
}

export interface LoadResult {
  mode: "open" | "closed";
  targetRate: number | null;
  achievedRate: number;
  durationS: number;
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  errorSamples: string[];
  /** Request → full response, ms, from the scheduled send time (open) or the send (closed). */
  latency: Percentiles;
  /** How late the generator itself sent requests; large values mean the generator, not the target, lagged. */
  sendLag: Percentiles;
  maxInFlight: number;
  /** Streams: most streams open at once (first event received, last not yet): the real concurrency reached. */
  maxOpenStreams?: number;
  /** Streams: first frame received, ms from the scheduled send. */
  ttfb?: Percentiles;
  /** Streams: frame i (i ≥ 1) arrival − scheduled send − i × eventDelayMs: how late each later event is. */
  eventLateness?: Percentiles;
  eventsPerStream?: number;
}

export function percentiles(values: Float64Array | number[]): Percentiles {
  const n = values.length;
  if (n === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN, n: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(sorted[n - 1]!), mean: r(sum / n), n };
}
