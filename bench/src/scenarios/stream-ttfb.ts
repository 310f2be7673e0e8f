/**
 * ConverseStream, open loop at a moderate rate, in interleaved rounds: time to first event, and how late every
 * later event arrives against its schedule (arrival − send − i × eventDelayMs). The added delay per event is the
 * target's lateness minus the direct path's.
 */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult } from "../load/spec.ts";
import type { Target, TargetName } from "../targets/types.ts";
import { interleavedRounds, mergeLoads, type RoundsHooks } from "./rounds.ts";
import type { ScenarioContext } from "./types.ts";

export type StreamTtfbResult = LoadResult & { rounds: number };

export async function streamTtfbRounds(targets: Target[], ctx: ScenarioContext, hooks: RoundsHooks = {}): Promise<Map<TargetName, StreamTtfbResult>> {
  const { rate, durationS, warmupS, eventDelayMs, rounds } = ctx.config.stream;
  const step = {
    label: `stream-ttfb ${rate} streams/s`,
    run: async (target: Target, first: boolean) => {
      const req = await target.request(ctx.payloads.stream);
      return runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "open", rate, durationS: durationS / rounds, warmupS: first ? warmupS : Math.min(1, warmupS), stream: { eventDelayMs }, timeoutMs: 30_000 });
    },
  };
  const runs = await interleavedRounds(targets, rounds, [step], hooks);
  return new Map([...runs].map(([name, [parts]]) => [name, mergeLoads(parts!)]));
}
