/** Non-streaming Converse at fixed request rates, open loop: p50/p90/p99 latency and errors per rate. */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult } from "../load/spec.ts";
import { cpuWindow } from "../proc/cpu.ts";
import type { Target } from "../targets/types.ts";
import type { ScenarioContext } from "./types.ts";

export interface ConverseRateResult extends LoadResult {
  rate: number;
  cpuPct: Record<string, number>;
}

export async function converseRate(target: Target, ctx: ScenarioContext): Promise<ConverseRateResult[]> {
  const out: ConverseRateResult[] = [];
  const { rates, durationS, warmupS } = ctx.config.converse;
  for (const rate of rates) {
    const req = await target.request(ctx.payloads.converse);
    const cpu = cpuWindow({ target: target.pid, emulator: ctx.emulatorPid });
    const load = await runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "open", rate, durationS, warmupS, timeoutMs: 10_000 });
    out.push({ rate, ...load, cpuPct: cpu.stop() });
  }
  return out;
}
