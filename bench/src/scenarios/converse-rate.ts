/**
 * Non-streaming Converse at fixed request rates, open loop: p50/p90/p99 latency and errors per rate.
 * All targets are measured in interleaved rounds (direct, then each target, at each rate, `rounds` times) and each
 * figure is the median over the rounds: noise from the shared machine then lands on every target alike instead of
 * on whichever one happened to run during it.
 */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult, Percentiles } from "../load/spec.ts";
import { cpuWindow } from "../proc/cpu.ts";
import type { Target, TargetName } from "../targets/types.ts";
import type { ScenarioContext } from "./types.ts";

export interface ConverseRateResult extends LoadResult {
  rate: number;
  cpuPct: Record<string, number>;
  /** Rounds merged into this result (percentiles, CPU and lag are medians over them; counts are sums). */
  rounds: number;
}

/** `onRound` reports progress; a target whose run throws is reported through `onError` and left out afterwards. */
export async function converseRateRounds(
  targets: Target[],
  ctx: ScenarioContext,
  hooks: { onRound?: (round: number, rate: number) => void; onError?: (target: TargetName, error: unknown) => void } = {},
): Promise<Map<TargetName, ConverseRateResult[]>> {
  const { rates, durationS, warmupS, rounds } = ctx.config.converse;
  const runs = new Map<TargetName, Map<number, ConverseRateResult[]>>(targets.map((t) => [t.name, new Map(rates.map((r) => [r, []]))]));
  const failed = new Set<TargetName>();
  for (let round = 0; round < rounds; round++) {
    for (const rate of rates) {
      hooks.onRound?.(round + 1, rate);
      for (const target of targets) {
        if (failed.has(target.name)) continue;
        try {
          // A full warm-up the first time; later rounds only re-establish the rate (the process is warm).
          const warm = round === 0 ? warmupS : Math.min(1, warmupS);
          runs.get(target.name)!.get(rate)!.push(await once(target, ctx, rate, durationS / rounds, warm));
        } catch (error) {
          failed.add(target.name);
          hooks.onError?.(target.name, error);
        }
      }
    }
  }
  const out = new Map<TargetName, ConverseRateResult[]>();
  for (const [name, byRate] of runs) if (!failed.has(name)) out.set(name, rates.map((rate) => merge(byRate.get(rate)!, rate)));
  return out;
}

async function once(target: Target, ctx: ScenarioContext, rate: number, durationS: number, warmupS: number): Promise<ConverseRateResult> {
  const req = await target.request(ctx.payloads.converse);
  const cpu = cpuWindow({ target: target.pid, emulator: ctx.emulatorPid });
  const load = await runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "open", rate, durationS, warmupS, timeoutMs: 10_000 });
  return { rate, ...load, cpuPct: cpu.stop(), rounds: 1 };
}

function merge(parts: ConverseRateResult[], rate: number): ConverseRateResult {
  const first = parts[0]!;
  const sum = (f: (p: ConverseRateResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    ...first,
    rate,
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
    cpuPct: Object.fromEntries(Object.keys(first.cpuPct).map((k) => [k, median(parts.map((p) => p.cpuPct[k] ?? 0))])),
  };
}

function medianPercentiles(all: Percentiles[]): Percentiles {
  return {
    p50: median(all.map((p) => p.p50)),
    p90: median(all.map((p) => p.p90)),
    p99: median(all.map((p) => p.p99)),
    max: Math.max(...all.map((p) => p.max)),
    mean: median(all.map((p) => p.mean)),
    n: all.reduce((n, p) => n + p.n, 0),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 1000) / 1000;
}
