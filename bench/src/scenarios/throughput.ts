/** Maximum sustained throughput: closed loop (wrk or autocannon), after a short discarded warm-up run. */
import { runThroughput, type ThroughputResult } from "../load/throughput.ts";
import { cpuWindow } from "../proc/cpu.ts";
import type { Target } from "../targets/types.ts";
import type { ScenarioContext } from "./types.ts";

export interface ThroughputScenarioResult extends ThroughputResult {
  cpuPct: Record<string, number>;
  /** CPU time the target spent per request (µs): steadier than req/s when the machine is shared. */
  cpuUsPerRequest: number | null;
}

export async function throughput(target: Target, ctx: ScenarioContext): Promise<ThroughputScenarioResult> {
  const { connections, durationS, warmupS } = ctx.config.throughput;
  const req = await target.request(ctx.payloads.converse);
  if (warmupS > 0) await runThroughput(req, connections, Math.max(1, Math.round(warmupS)));
  const fresh = await target.request(ctx.payloads.converse);
  const cpu = cpuWindow({ target: target.pid, emulator: ctx.emulatorPid });
  const result = await runThroughput(fresh, connections, durationS);
  const cpuPct = cpu.stop();
  const cpuUsPerRequest = result.requests > 0 && cpuPct.target !== undefined ? Math.round(((cpuPct.target / 100) * result.durationS * 1e6) / result.requests) : null;
  return { ...result, cpuPct, cpuUsPerRequest };
}
