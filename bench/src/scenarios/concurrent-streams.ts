/** N slow ConverseStreams open at once: peak RSS of the target process and RSS per stream. */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult } from "../load/spec.ts";
import { RssSampler, type RssSummary } from "../proc/rss.ts";
import type { Target } from "../targets/types.ts";
import type { ScenarioContext } from "./types.ts";

export interface ConcurrentStreamsResult {
  streams: number;
  streamSeconds: number;
  rss: RssSummary;
  emulatorRss: RssSummary;
  perStreamKb: number;
  load: LoadResult;
}

export async function concurrentStreams(target: Target, ctx: ScenarioContext): Promise<ConcurrentStreamsResult> {
  const { streams, events, eventDelayMs, rampPerS } = ctx.config.concurrent;
  const req = await target.request(ctx.payloads.slowStream);
  const rss = new RssSampler(target.pid).start();
  const emu = new RssSampler(ctx.emulatorPid).start();
  const load = await runLoad({
    url: req.url,
    method: req.method,
    headers: req.headers,
    bodyFile: bodyFile(req.body),
    mode: "open",
    rate: rampPerS,
    durationS: streams / rampPerS,
    stream: { eventDelayMs },
    timeoutMs: 120_000,
    protocol: target.protocol,
  });
  const r = rss.stop();
  const e = emu.stop();
  return {
    streams,
    streamSeconds: ((events + 4) * eventDelayMs) / 1000,
    rss: r,
    emulatorRss: e,
    perStreamKb: Math.round((((r.peakMb - r.baselineMb) * 1024) / streams) * 10) / 10,
    load,
  };
}
