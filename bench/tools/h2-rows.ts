/**
 * HTTP/2 next to HTTP/1.1, same gateway process, same run: Converse at a fixed rate (open loop, interleaved rounds,
 * medians) and N concurrent slow ConverseStreams, each over HTTP/1.1 (fetch, one connection per request in flight)
 * and over h2c with prior knowledge (8 multiplexed sessions), on Bun and on Deno.
 *
 *   npx bun bench/tools/h2-rows.ts [--rate=1000] [--rounds=4] [--seconds=3] [--streams=1000] [--runtimes=bun,deno]
 */
import { FULL, type BenchConfig } from "../src/config.ts";
import { conversePayload, largePayload, streamPayload } from "../src/payloads.ts";
import { CORE_LOAD, installCleanup, pinSelf, runTool } from "../src/proc/spawn.ts";
import { concurrentStreams } from "../src/scenarios/concurrent-streams.ts";
import { converseRateRounds } from "../src/scenarios/converse-rate.ts";
import type { ScenarioContext } from "../src/scenarios/types.ts";
import { directTarget, startEmulatorProcess } from "../src/targets/emulator.ts";
import { startProxy } from "../src/targets/proxy.ts";
import type { Target, TargetName } from "../src/targets/types.ts";

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith("--")).map((a) => [a.slice(2, a.indexOf("=") > 0 ? a.indexOf("=") : undefined), a.split("=")[1] ?? ""]));
const rate = Number(flags.get("rate") ?? 1000);
const rounds = Number(flags.get("rounds") ?? 4);
const seconds = Number(flags.get("seconds") ?? 3);
const streams = Number(flags.get("streams") ?? 1000);
const runtimes = (flags.get("runtimes") ?? "bun,deno").split(",") as ("bun" | "deno")[];
const config: BenchConfig = {
  ...structuredClone(FULL),
  converse: { rates: [rate], durationS: seconds * rounds, warmupS: 3, rounds },
  concurrent: { ...FULL.concurrent, streams },
};

async function main() {
  installCleanup();
  pinSelf(CORE_LOAD);
  const emulator = await startEmulatorProcess();
  const { events, eventDelayMs } = config.concurrent;
  const ctx: ScenarioContext = {
    config,
    payloads: { converse: conversePayload(), stream: streamPayload(1, 0), slowStream: streamPayload(events, eventDelayMs), large: largePayload(1) },
    emulatorPid: emulator.pid,
  };
  const targets: Target[] = [directTarget(emulator)];
  for (const runtime of runtimes) {
    const proxy = await startProxy(runtime, emulator);
    targets.push({ ...proxy, name: `${runtime} h1.1` as TargetName, protocol: "h1" }, { ...proxy, name: `${runtime} h2c` as TargetName, protocol: "h2" });
  }

  const results = await converseRateRounds(targets, ctx, { onRound: (r) => console.log(`round ${r}/${rounds}`), onError: (n, e) => console.log(`${n} failed: ${e}`) });
  const direct = results.get("direct")![0]!;
  console.log(`\nConverse @ ${rate} req/s, ${rounds} rounds × ${seconds} s, medians; added = target − direct (HTTP/1.1)`);
  console.log("| target | p50 ms | p90 ms | p99 ms | added p50 | added p99 | gateway CPU % | errors |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [name, [r]] of results) {
    const added = (k: "p50" | "p99") => (r!.latency[k] - direct.latency[k]).toFixed(3);
    console.log(`| ${name} | ${r!.latency.p50.toFixed(3)} | ${r!.latency.p90.toFixed(3)} | ${r!.latency.p99.toFixed(3)} | ${added("p50")} | ${added("p99")} | ${r!.cpuPct.target ?? "-"} | ${r!.errors}/${r!.sent} |`);
  }

  if (streams > 0) {
    console.log(`\n${streams} concurrent ConverseStreams (${events} events × ${eventDelayMs} ms), each target in turn`);
    console.log("| target | most open at once | first event p50 / p99 ms | event lateness p99 ms | gateway peak RSS MB | KB per stream | errors |");
    console.log("|---|---|---|---|---|---|---|");
    for (const target of targets.slice(1)) {
      const r = await concurrentStreams(target, ctx);
      console.log(`| ${target.name} | ${r.load.maxOpenStreams} | ${r.load.ttfb?.p50.toFixed(1)} / ${r.load.ttfb?.p99.toFixed(1)} | ${r.load.eventLateness?.p99.toFixed(1)} | ${r.rss.peakMb} | ${r.perStreamKb} | ${r.load.errors}/${r.load.sent} |`);
    }
  }
  const stopped = new Set<number>();
  for (const t of targets) if (!stopped.has(t.pid)) stopped.add(t.pid), await t.stop();
  await emulator.proc.stop();
}

runTool(main);
