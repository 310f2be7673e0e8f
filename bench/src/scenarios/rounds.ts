/**
 * Interleaved rounds for the open-loop latency scenarios: every target runs the same load in turn (direct first),
 * `rounds` times, and each figure is the median over its rounds. Noise from the shared machine then lands on every
 * target alike instead of on whichever one happened to run during it.
 */
import type { LoadResult, Percentiles } from "../load/spec.ts";
import type { Target, TargetName } from "../targets/types.ts";

export interface RoundsHooks {
  onRound?: (round: number, label: string) => void;
  /** A target whose run throws is reported here and left out of later rounds and of the results. */
  onError?: (target: TargetName, error: unknown) => void;
}

/** One step per round: `label` for progress, `run` measures one target for one round (`first`: give it a full warm-up). */
export interface RoundStep<R> {
  label: string;
  run: (target: Target, first: boolean) => Promise<R>;
}

export async function interleavedRounds<R>(targets: Target[], rounds: number, steps: RoundStep<R>[], hooks: RoundsHooks = {}): Promise<Map<TargetName, R[][]>> {
  const runs = new Map<TargetName, R[][]>(targets.map((t) => [t.name, steps.map(() => [])]));
  const failed = new Set<TargetName>();
  for (let round = 0; round < rounds; round++) {
    for (const [i, step] of steps.entries()) {
      hooks.onRound?.(round + 1, step.label);
      for (const target of targets) {
        if (failed.has(target.name)) continue;
        try {
          runs.get(target.name)![i]!.push(await step.run(target, round === 0));
        } catch (error) {
          failed.add(target.name);
          hooks.onError?.(target.name, error);
        }
      }
    }
  }
  for (const name of failed) runs.delete(name);
  return runs;
}

/** Several rounds of one load as one result: percentiles and lag are medians over rounds, counts are sums. */
export function mergeLoads<R extends LoadResult>(parts: R[]): R & { rounds: number } {
  const first = parts[0]!;
  const sum = (f: (p: R) => number) => parts.reduce((n, p) => n + f(p), 0);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const optional = (key: "ttfb" | "eventLateness") => (parts.every((p) => p[key]) ? { [key]: medianPercentiles(parts.map((p) => p[key]!)) } : {});
  return {
    ...first,
    rounds: parts.length,
    durationS: sum((p) => p.durationS),
    achievedRate: Math.round((sum((p) => p.achievedRate) / parts.length) * 10) / 10,
    sent: sum((p) => p.sent),
    ok: sum((p) => p.ok),
    errors: sum((p) => p.errors),
    statuses,
    errorSamples: [...new Set(parts.flatMap((p) => p.errorSamples))].slice(0, 5),
    latency: medianPercentiles(parts.map((p) => p.latency)),
    sendLag: medianPercentiles(parts.map((p) => p.sendLag)),
    maxInFlight: Math.max(...parts.map((p) => p.maxInFlight)),
    ...(first.maxOpenStreams !== undefined && { maxOpenStreams: Math.max(...parts.map((p) => p.maxOpenStreams ?? 0)) }),
    ...optional("ttfb"),
    ...optional("eventLateness"),
  };
}

export function medianPercentiles(all: Percentiles[]): Percentiles {
  return {
    p50: median(all.map((p) => p.p50)),
    p90: median(all.map((p) => p.p90)),
    p99: median(all.map((p) => p.p99)),
    max: Math.max(...all.map((p) => p.max)),
    mean: median(all.map((p) => p.mean)),
    n: all.reduce((n, p) => n + p.n, 0),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 1000) / 1000;
}
