/**
 * ConverseStream, open loop at a moderate rate: time to first event, and how late every later event arrives
 * against its schedule (arrival − send − i × eventDelayMs). The added delay per event is the target's
 * lateness minus the direct path's.
 */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult } from "../load/spec.ts";
import type { Target } from "../targets/types.ts";
import type { ScenarioContext } from "./types.ts";

export async function streamTtfb(target: Target, ctx: ScenarioContext): Promise<LoadResult> {
  const { rate, durationS, warmupS, eventDelayMs } = ctx.config.stream;
  const req = await target.request(ctx.payloads.stream);
  return runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "open", rate, durationS, warmupS, stream: { eventDelayMs }, timeoutMs: 30_000 });
}
