/** A large non-streaming Converse request body (20 MB full, 2 MB quick), sent one at a time: peak RSS and latency. */
import { bodyFile, runLoad } from "../load/run.ts";
import type { LoadResult } from "../load/spec.ts";
import { RssSampler, type RssSummary } from "../proc/rss.ts";
import type { Target } from "../targets/types.ts";
import type { ScenarioContext } from "./types.ts";

export interface LargeBodyResult {
  bytes: number;
  rss: RssSummary;
  load: LoadResult;
}

export async function largeBody(target: Target, ctx: ScenarioContext): Promise<LargeBodyResult> {
  const { count } = ctx.config.largeBody;
  const req = await target.request(ctx.payloads.large);
  const rss = new RssSampler(target.pid, 20).start();
  const load = await runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "closed", count, concurrency: 1, timeoutMs: 60_000 });
  return { bytes: ctx.payloads.large.body.byteLength, rss: rss.stop(), load };
}
