/**
 * Load generator, run as its own Bun process pinned to the load core (never inside the gateway's process):
 *   bun bench/src/load/open-loop.ts <spec.json>
 * Prints one line `RESULT {json}` (a LoadResult) on stdout.
 */
import { readFileSync } from "node:fs";
import { h2Fetcher } from "./h2-fetch.ts";
import { percentiles, type LoadResult, type LoadSpec } from "./spec.ts";

const spec = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadSpec;
const body = spec.bodyFile ? new Uint8Array(readFileSync(spec.bodyFile)) : undefined;

// Sessions per generator: enough that 1,000 concurrent streams stay under a server's 200-256 streams per connection.
const h2 = spec.protocol === "h2" ? h2Fetcher(new URL(spec.url).origin, 8) : null;

const latencies: number[] = [];
const lags: number[] = [];
const ttfbs: number[] = [];
const lateness: number[] = [];
const statuses: Record<string, number> = {};
const errorSamples: string[] = [];
let sent = 0;
let ok = 0;
let errors = 0;
let inFlight = 0;
let maxInFlight = 0;
let eventsSeen = 0;
let openStreams = 0;
let maxOpenStreams = 0;
let streamsSeen = 0;

function noteError(message: string) {
  errors++;
  if (errorSamples.length < 5 && !errorSamples.includes(message)) errorSamples.push(message);
}

/** Counts complete event-stream frames (4-byte big-endian total length prefix) as bytes arrive. */
class FrameCounter {
  private header = new Uint8Array(4);
  private headerHave = 0;
  private remaining = 0;
  push(chunk: Uint8Array): number {
    let frames = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(4 - this.headerHave, chunk.length - i);
        this.header.set(chunk.subarray(i, i + take), this.headerHave);
        this.headerHave += take;
        i += take;
        if (this.headerHave < 4) break;
        const total = new DataView(this.header.buffer).getUint32(0);
        this.headerHave = 0;
        this.remaining = total - 4;
      }
      const take = Math.min(this.remaining, chunk.length - i);
      this.remaining -= take;
      i += take;
      if (this.remaining === 0) frames++;
    }
    return frames;
  }
}

async function one(scheduledAt: number, measured: boolean): Promise<void> {
  const sentAt = performance.now();
  if (measured) lags.push(sentAt - scheduledAt);
  sent++;
  inFlight++;
  if (inFlight > maxInFlight) maxInFlight = inFlight;
  try {
    const signal = AbortSignal.timeout(spec.timeoutMs);
    const res = h2
      ? await h2(spec.url, { method: spec.method, headers: spec.headers, body, signal })
      : await fetch(spec.url, {
          method: spec.method,
          headers: spec.headers,
          body,
          signal,
          // Same for every target: relay bytes as sent.
          decompress: false,
        } as RequestInit);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    let failed = res.status !== 200;
    if (spec.stream && res.body && !failed) {
      const counter = new FrameCounter();
      let index = 0;
      const reader = res.body.getReader();
      let opened = false;
      try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const frames = counter.push(value);
        if (frames === 0) continue;
        if (!opened) {
          opened = true;
          if (++openStreams > maxOpenStreams) maxOpenStreams = openStreams;
        }
        const now = performance.now() - scheduledAt;
        for (let f = 0; f < frames; f++, index++) {
          if (!measured) continue;
          if (index === 0) ttfbs.push(now);
          else lateness.push(now - index * spec.stream.eventDelayMs);
        }
      }
      } finally {
        if (opened) openStreams--;
      }
      if (measured) {
        eventsSeen += index;
        streamsSeen++;
      }
    } else {
      const text = failed ? await res.text() : null;
      if (!failed) await res.arrayBuffer();
      if (failed) noteError(`HTTP ${res.status}: ${text!.slice(0, 200)}`);
    }
    if (!failed) ok++;
    if (measured && !failed) latencies.push(performance.now() - scheduledAt);
    if (failed && !measured) errors--; // warm-up failures are not counted…
  } catch (error) {
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    noteError(name.slice(0, 200));
    if (!measured) errors--;
  } finally {
    inFlight--;
  }
}

async function openLoop(): Promise<{ started: number; ended: number; measuredCount: number }> {
  const rate = spec.rate!;
  const interval = 1000 / rate;
  const warm = Math.round((spec.warmupS ?? 0) * rate);
  const total = warm + Math.round(spec.durationS! * rate);
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  let measureStart = t0 + warm * interval;
  let k = 0;
  while (k < total) {
    const now = performance.now();
    while (k < total && t0 + k * interval <= now) {
      pending.push(one(t0 + k * interval, k >= warm));
      k++;
    }
    if (k < total) {
      const wait = t0 + k * interval - performance.now();
      if (wait > 0) await Bun.sleep(wait);
    }
  }
  await Promise.all(pending);
  return { started: measureStart, ended: performance.now(), measuredCount: total - warm };
}

async function closedLoop(): Promise<{ started: number; ended: number; measuredCount: number }> {
  const count = spec.count ?? 1;
  const workers = spec.concurrency ?? 1;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        next++;
        await one(performance.now(), true);
      }
    }),
  );
  return { started, ended: performance.now(), measuredCount: count };
}

const run = spec.mode === "open" ? await openLoop() : await closedLoop();
// Warm-up requests decremented `errors` only if they failed; sent/ok still include them, so recount for the window.
const durationS = (run.ended - run.started) / 1000;
const measuredOk = latencies.length;
const result: LoadResult = {
  mode: spec.mode,
  targetRate: spec.rate ?? null,
  achievedRate: Math.round((run.measuredCount / Math.max(durationS, 1e-9)) * 10) / 10,
  durationS: Math.round(durationS * 100) / 100,
  sent: run.measuredCount,
  ok: measuredOk,
  errors: Math.max(0, errors),
  statuses,
  errorSamples,
  latency: percentiles(latencies),
  sendLag: percentiles(lags),
  maxInFlight,
  ...(spec.stream
    ? { maxOpenStreams, ttfb: percentiles(ttfbs), eventLateness: percentiles(lateness), eventsPerStream: streamsSeen ? Math.round((eventsSeen / streamsSeen) * 10) / 10 : 0 }
    : {}),
};
void sent;
void ok;
console.log("RESULT " + JSON.stringify(result));
process.exit(0);
