/**
 * Before/after of a hot-path change, side by side: several builds of the proxy (each an entry file, e.g. the
 * current tree and a patched copy in a git worktree) run on Bun against one emulator, Converse at a fixed rate in
 * interleaved rounds, each figure the median over rounds. Run-to-run spread on this VM is larger than most
 * single changes, so two builds are only compared within one run of this tool.
 *
 *   npx bun bench/tools/ab-entries.ts before=apps/proxy/src/index.ts after=../wt/apps/proxy/src/index.ts [--rate=1000] [--rounds=6] [--seconds=3]
 *   ... --throughput       closed-loop throughput instead (wrk), rounds interleaved: req/s and gateway CPU µs per request
 *
 *   ... --runtime=deno     the builds on Deno instead of Bun
 *
 * A worktree must sit inside this repository's directory (so its imports resolve to this node_modules).
 */
import path from "node:path";
import { FULL, type BenchConfig } from "../src/config.ts";
import { conversePayload, largePayload, streamPayload } from "../src/payloads.ts";
import { CORE_LOAD, installCleanup, pinSelf, runTool } from "../src/proc/spawn.ts";
import { converseRateRounds } from "../src/scenarios/converse-rate.ts";
import { interleavedRounds, median } from "../src/scenarios/rounds.ts";
import { throughput } from "../src/scenarios/throughput.ts";
import type { ScenarioContext } from "../src/scenarios/types.ts";
import { directTarget, startEmulatorProcess } from "../src/targets/emulator.ts";
import { startProxy } from "../src/targets/proxy.ts";
import type { Target, TargetName } from "../src/targets/types.ts";

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith("--")).map((a) => [a.slice(2, a.indexOf("=") > 0 ? a.indexOf("=") : undefined), a.split("=")[1] ?? ""]));
const entries = process.argv.slice(2).filter((a) => !a.startsWith("--")).map((a) => {
  const [name, file] = a.split("=");
  if (!name || !file) throw new Error(`expected name=entry-file, got ${a}`);
  return { name, file: path.resolve(file) };
});
if (entries.length === 0) throw new Error("usage: npx bun bench/tools/ab-entries.ts name=entry.ts [name=entry.ts ...] [--rate=1000] [--rounds=6] [--seconds=3]");

const rate = Number(flags.get("rate") ?? 1000);
const rounds = Number(flags.get("rounds") ?? 6);
const seconds = Number(flags.get("seconds") ?? 3);
const runtime = flags.get("runtime") === "deno" ? "deno" : "bun";
const config: BenchConfig = {
  ...structuredClone(FULL),
  converse: { rates: [rate], durationS: seconds * rounds, warmupS: 3, rounds },
  throughput: { ...FULL.throughput, durationS: seconds, warmupS: 1 },
};

async function main() {
  installCleanup();
  pinSelf(CORE_LOAD);
  const emulator = await startEmulatorProcess();
  const ctx: ScenarioContext = {
    config,
    payloads: { converse: conversePayload(), stream: streamPayload(1, 0), slowStream: streamPayload(1, 0), large: largePayload(1) },
    emulatorPid: emulator.pid,
  };
  const targets: Target[] = [directTarget(emulator)];
  for (const entry of entries) {
    process.env.BENCH_PROXY_ENTRY = entry.file;
    targets.push({ ...(await startProxy(runtime, emulator)), name: entry.name as TargetName });
  }
  if (flags.has("throughput")) await compareThroughput(targets, ctx);
  else await compareLatency(targets, ctx);
  for (const t of targets) await t.stop();
  await emulator.proc.stop();
}

async function compareThroughput(targets: Target[], ctx: ScenarioContext) {
  const runs = await interleavedRounds(targets, rounds, [{ label: "throughput", run: (t: Target) => throughput(t, ctx) }], { onRound: (r) => console.log(`round ${r}/${rounds}`) });
  console.log(`\nThroughput (wrk, ${config.throughput.connections} connections), ${rounds} rounds × ${seconds} s, medians`);
  const directRps = median(runs.get("direct")![0]!.map((r) => r.rps));
  for (const [name, [parts]] of runs) {
    const rps = median(parts!.map((r) => r.rps));
    const cpuUs = median(parts!.map((r) => r.cpuUsPerRequest ?? NaN));
    console.log(`${name.padEnd(12)} ${String(Math.round(rps)).padStart(6)} req/s  ×direct ${(rps / directRps).toFixed(2)}  ${Math.round(cpuUs)} µs CPU/request`);
  }
}

async function compareLatency(targets: Target[], ctx: ScenarioContext) {
  const results = await converseRateRounds(targets, ctx, { onRound: (r) => console.log(`round ${r}/${rounds}`) });
  const direct = results.get("direct")![0]!;
  console.log(`\nConverse @ ${rate} req/s, ${rounds} rounds × ${seconds} s, medians; added = target − direct`);
  for (const [name, [r]] of results) {
    const added = (k: "p50" | "p90" | "p99") => (r!.latency[k] - direct.latency[k]).toFixed(3);
    console.log(`${name.padEnd(12)} p50 ${r!.latency.p50.toFixed(3)} (+${added("p50")})  p90 +${added("p90")}  p99 +${added("p99")}  cpu ${r!.cpuPct.target}%  errors ${r!.errors}/${r!.sent}`);
  }
}

runTool(main);
