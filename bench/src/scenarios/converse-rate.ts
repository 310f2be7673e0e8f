/** Non-streaming Converse at fixed request rates, open loop: p50/p90/p99 latency and errors per rate, in interleaved rounds. */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult } from "../load/spec.ts";
import { cpuWindow } from "../proc/cpu.ts";
import type { Target, TargetName } from "../targets/types.ts";
import { interleavedRounds, median, mergeLoads, type RoundsHooks } from "./rounds.ts";
import type { ScenarioContext } from "./types.ts";

export interface ConverseRateResult extends LoadResult {
  rate: number;
  /** % of one core over the run, per process (median over rounds). */
  cpuPct: Record<string, number>;
  rounds: number;
}

export async function converseRateRounds(targets: Target[], ctx: ScenarioContext, hooks: RoundsHooks = {}): Promise<Map<TargetName, ConverseRateResult[]>> {
  const { rates, durationS, warmupS, rounds } = ctx.config.converse;
  const steps = rates.map((rate) => ({
    label: `converse-rate ${rate}/s`,
    // A full warm-up the first time; later rounds only re-establish the rate (the process is warm).
    run: (target: Target, first: boolean) => once(target, ctx, rate, durationS / rounds, first ? warmupS : Math.min(1, warmupS)),
  }));
  const runs = await interleavedRounds(targets, rounds, steps, hooks);
  return new Map(
    [...runs].map(([name, byRate]) => [
      name,
      byRate.map((parts, i) => ({ ...mergeLoads(parts), rate: rates[i]!, cpuPct: medianCpu(parts.map((p) => p.cpuPct)) })),
    ]),
  );
}

async function once(target: Target, ctx: ScenarioContext, rate: number, durationS: number, warmupS: number) {
  const req = await target.request(ctx.payloads.converse);
  const cpu = cpuWindow({ target: target.pid, emulator: ctx.emulatorPid });
  const load = await runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "open", rate, durationS, warmupS, timeoutMs: 10_000, protocol: target.protocol });
  return { ...load, cpuPct: cpu.stop() };
}

function medianCpu(all: Record<string, number>[]): Record<string, number> {
  return Object.fromEntries(Object.keys(all[0] ?? {}).map((k) => [k, median(all.map((c) => c[k] ?? 0))]));
}
