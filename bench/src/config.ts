/** Scenario parameters for the full benchmark and for the quick (CI) mode. */
export interface BenchConfig {
  mode: "quick" | "full";
  /** durationS is the measured time per target and rate, split over `rounds` interleaved runs. */
  converse: { rates: number[]; durationS: number; warmupS: number; rounds: number };
  throughput: { connections: number; durationS: number; warmupS: number };
  stream: { rate: number; durationS: number; warmupS: number; events: number; eventDelayMs: number; rounds: number };
  concurrent: { streams: number; events: number; eventDelayMs: number; rampPerS: number };
  largeBody: { bytes: number; count: number };
}

export const FULL: BenchConfig = {
  mode: "full",
  converse: { rates: [500, 1000], durationS: 12, warmupS: 3, rounds: 4 },
  throughput: { connections: 64, durationS: 10, warmupS: 3 },
  stream: { rate: 100, durationS: 12, warmupS: 2, events: 20, eventDelayMs: 10, rounds: 4 },
  concurrent: { streams: 1000, events: 20, eventDelayMs: 500, rampPerS: 250 },
  largeBody: { bytes: 20 * 1024 * 1024, count: 5 },
};

export const QUICK: BenchConfig = {
  mode: "quick",
  converse: { rates: [200], durationS: 2, warmupS: 0.5, rounds: 2 },
  throughput: { connections: 32, durationS: 2, warmupS: 0.5 },
  stream: { rate: 50, durationS: 2, warmupS: 0.5, events: 5, eventDelayMs: 10, rounds: 2 },
  concurrent: { streams: 50, events: 5, eventDelayMs: 200, rampPerS: 100 },
  largeBody: { bytes: 2 * 1024 * 1024, count: 2 },
};
