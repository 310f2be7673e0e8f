/**
 * Gateway overhead benchmark. `npm run bench` (full) or `bun bench/src/main.ts --quick` (CI).
 *   --quick              a few seconds per scenario, low load; writes results/quick.json + results/quick.md
 *   --only=a,b           targets (direct is always run: added latency is measured against it)
 *                        direct, nginx, proxy-bun, proxy-deno, portkey
 *   --scenarios=a,b      converse-rate, throughput, stream-ttfb, concurrent-streams, large-body
 *   --out=<dir>          results directory (default bench/results); full mode also writes bench/RESULTS.md
 *   --rates=500,1000     override the Converse request rates
 *   --proxy-entry=<f>    run a patched copy of the proxy (for before/after of a hot-path change)
 *   --profile            proxy-bun writes a CPU profile (markdown) to <out>/profiles when it stops
 */
import { loadavg, cpus, release } from "node:os";
import path from "node:path";
import { FULL, QUICK, type BenchConfig } from "./config.ts";
import { throughputTool } from "./load/throughput.ts";
import { bodyFile, runLoad } from "./load/run.ts";
import { conversePayload, largePayload, streamPayload } from "./payloads.ts";
import { BIN, CORE_GATEWAY, CORE_LOAD, REPO_ROOT, hasTaskset, installCleanup, killAll, pinSelf, versionOf, which } from "./proc/spawn.ts";
import { readRss } from "./proc/rss.ts";
import { renderMarkdown } from "./report/markdown.ts";
import { summarize, writeResultsJson, type Results, type TargetRecord } from "./report/results-json.ts";
import { concurrentStreams } from "./scenarios/concurrent-streams.ts";
import { converseRateRounds } from "./scenarios/converse-rate.ts";
import { largeBody } from "./scenarios/large-body.ts";
import { streamTtfbRounds } from "./scenarios/stream-ttfb.ts";
import { throughput } from "./scenarios/throughput.ts";
import { SCENARIOS, type Payloads, type ScenarioContext, type ScenarioName } from "./scenarios/types.ts";
import { directTarget, startEmulatorProcess } from "./targets/emulator.ts";
import { startNginx } from "./targets/nginx.ts";
import { startPortkey } from "./targets/portkey.ts";
import { startProxy } from "./targets/proxy.ts";
import { ALL_TARGETS, TargetUnavailable, type EmulatorHandle, type Target, type TargetName } from "./targets/types.ts";
import { writeFileSync } from "node:fs";

function flag(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (!a) return undefined;
  return a.includes("=") ? a.slice(a.indexOf("=") + 1) : "";
}

const quick = flag("quick") !== undefined;
const config: BenchConfig = structuredClone(quick ? QUICK : FULL);
if (flag("rates")) config.converse.rates = flag("rates")!.split(",").map(Number).filter((n) => n > 0);
const outDir = path.resolve(flag("out") || path.join(REPO_ROOT, "bench/results"));
const only = flag("only")?.split(",").map((s) => s.trim()).filter(Boolean) as TargetName[] | undefined;
for (const t of only ?? []) if (!ALL_TARGETS.includes(t)) throw new Error(`unknown target ${t}; known: ${ALL_TARGETS.join(", ")}`);
const selected: TargetName[] = ALL_TARGETS.filter((t) => t === "direct" || !only || only.includes(t));
if (flag("no-pin") !== undefined) process.env.BENCH_NO_PIN = "1";
if (flag("profile") !== undefined) process.env.BENCH_PROFILE_DIR = path.join(outDir, "profiles");
if (flag("proxy-entry")) process.env.BENCH_PROXY_ENTRY = path.resolve(flag("proxy-entry")!);
const scenarioFilter = flag("scenarios")?.split(",").map((s) => s.trim()) as ScenarioName[] | undefined;
for (const s of scenarioFilter ?? []) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; known: ${SCENARIOS.join(", ")}`);
const scenarios = SCENARIOS.filter((s) => !scenarioFilter || scenarioFilter.includes(s));

const starters: Record<TargetName, (emu: EmulatorHandle) => Promise<Target>> = {
  direct: async (emu) => directTarget(emu),
  nginx: startNginx,
  "proxy-bun": (emu) => startProxy("bun", emu),
  "proxy-deno": (emu) => startProxy("deno", emu),
  portkey: startPortkey,
};

const FRESH_PROCESS = new Set<ScenarioName>(["concurrent-streams", "large-body"]);

/** The latency scenarios run for all targets together, in interleaved rounds (see interleavedPhase). */
const INTERLEAVED = ["converse-rate", "stream-ttfb"] as const;
type Interleaved = (typeof INTERLEAVED)[number];
type PerTarget = Exclude<ScenarioName, Interleaved>;
const isInterleaved = (s: ScenarioName): s is Interleaved => (INTERLEAVED as readonly string[]).includes(s);

const runners: Record<PerTarget, (t: Target, ctx: ScenarioContext) => Promise<unknown>> = {
  throughput,
  "concurrent-streams": concurrentStreams,
  "large-body": largeBody,
};

const log = (msg: string) => console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const t0 = performance.now();

async function main(): Promise<number> {
  installCleanup();
  const startedAt = new Date().toISOString();
  const load0 = loadavg();
  const pinned = pinSelf(CORE_LOAD);
  if (!pinned) log("taskset not available: processes are NOT pinned (numbers will be noisier)");
  log(`${config.mode} mode; targets: ${selected.join(", ")}; scenarios: ${scenarios.join(", ")}; load avg ${load0.map((v) => v.toFixed(2)).join(" ")}`);

  const payloads: Payloads = {
    converse: conversePayload(),
    stream: streamPayload(config.stream.events, config.stream.eventDelayMs),
    slowStream: streamPayload(config.concurrent.events, config.concurrent.eventDelayMs),
    large: largePayload(config.largeBody.bytes),
  };

  const emulator = await startEmulatorProcess();
  log(`emulator ${emulator.url} (pid ${emulator.pid})`);
  const ctx: ScenarioContext = { config, payloads, emulatorPid: emulator.pid };
  await warmEmulator(directTarget(emulator), payloads);
  const targets: Partial<Record<TargetName, TargetRecord>> = {};

  const perTarget = scenarios.filter((s): s is PerTarget => !isInterleaved(s));
  const interleaved = scenarios.filter(isInterleaved);
  try {
    if (interleaved.length > 0) await interleavedPhase(interleaved, emulator, ctx, targets);
    for (const name of selected) {
      if (perTarget.length === 0 || (targets[name] && targets[name]!.status !== "ok")) continue;
      let target = await startTarget(name, emulator, targets);
      if (!target) continue;
      const record = targets[name]!;
      try {
        for (const scenario of perTarget) {
          try {
            // Memory rows start from a fresh process: RSS left over from the load scenarios (V8/JSC heaps grow
            // and rarely shrink) would otherwise hide what the streams or the body cost.
            if (FRESH_PROCESS.has(scenario) && name !== "direct") {
              await target.stop();
              target = await starters[name](emulator);
            }
            const result = await runners[scenario](target, ctx);
            (record.scenarios as Record<string, unknown>)[scenario] = result;
            log(`  ${scenario}: ${brief(scenario, result)}`);
          } catch (error) {
            record.scenarioErrors[scenario] = scenarioError(error);
            log(`  ${scenario}: FAILED: ${record.scenarioErrors[scenario]}`);
          }
        }
      } finally {
        await target.stop();
      }
    }
  } finally {
    await emulator.proc.stop();
  }

  const load1 = loadavg();
  // The end figure is the benchmark's own load; only the start says whether something else was running.
  const busy = load0[0]! > 0.7;
  const results: Results = {
    schema: 1,
    mode: config.mode,
    startedAt,
    finishedAt: new Date().toISOString(),
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      kernel: release(),
      loadAvgStart: load0.map((v) => Math.round(v * 100) / 100),
      loadAvgEnd: load1.map((v) => Math.round(v * 100) / 100),
      bun: versionOf(BIN("bun"), ["--version"]),
      deno: versionOf(BIN("deno"), ["--version"]),
      nginx: which("nginx") ? versionOf("nginx", ["-v"]) : "not installed",
      wrk: which("wrk") ? versionOf("wrk", ["-v"]) : "not installed",
      pinned: pinned && hasTaskset(),
      ...(busy ? { busyWarning: `The machine was busy when the run started (load average ${load0[0]!.toFixed(2)}): treat these numbers as noisy.` } : {}),
    },
    method: {
      "added latency": "target percentile − direct percentile, same scenario, same rate, same payload bytes; direct = the emulator called with requests pre-signed for it",
      pinning: hasTaskset() ? `gateway under test: taskset -c ${CORE_GATEWAY}; emulator, load generator and this orchestrator: taskset -c ${CORE_LOAD}` : "none (taskset missing)",
      "interleaved rounds": `every target is started first; the Converse rates (${config.converse.rounds} rounds, ${config.converse.durationS / config.converse.rounds} s measured per run) and the ConverseStream scenario (${config.stream.rounds} rounds, ${config.stream.durationS / config.stream.rounds} s per run) then run in interleaved rounds (direct, then each target); each percentile, CPU and lag figure is the median over the rounds, counts are sums`,
      "open-loop generator": "bench/src/load/open-loop.ts in its own Bun process: request k leaves at t0 + k/rate whether or not earlier ones answered; latency counts from the scheduled instant (no coordinated omission); warm-up requests are sent at the same rate and discarded",
      "throughput generator": `${throughputTool()} closed loop (1 thread, ${config.throughput.connections} connections), after a discarded warm-up run`,
      "memory": "VmRSS of the process tree under test from /proc/PID/status every 50 ms (20 ms for the large body), each memory scenario on a freshly started gateway process; CPU from /proc/PID/stat utime+stime",
      "our proxy": "apps/proxy with MASTER_KEY, DATABASE_URL=sqlite:<temp file>, and a virtual key from POST /key/generate when available (see targets: features)",
      "portkey": "@portkey-ai/gateway from npm, `bun build/start-server.js --headless`, POST /v1/model/{id}/... with x-portkey-provider: bedrock, x-portkey-aws-* keys (the emulator's), x-portkey-custom-host; it signs, the emulator verifies",
      "nginx": "Debian nginx, generated config: one process, proxy_pass to the emulator, HTTP/1.1 keepalive upstream, proxy_buffering off; clients pre-sign for the emulator and nginx sets Host to the emulator's, so signatures verify unchanged",
      payloads: `Converse ${payloads.converse.body.byteLength} B (20-word reply); ConverseStream ${payloads.stream.body.byteLength} B; large body ${payloads.large.body.byteLength} B; model id ${"anthropic.claude-3-haiku-20240307-v1:0"} (path-encoded)`,
    },
    config,
    targets,
    summary: summarize(targets),
  };

  const jsonFile = writeResultsJson(results, outDir, quick ? "quick.json" : "latest.json");
  const md = renderMarkdown(results);
  const mdFile = quick || flag("out") ? path.join(outDir, quick ? "quick.md" : "RESULTS.md") : path.join(REPO_ROOT, "bench/RESULTS.md");
  writeFileSync(mdFile, md);
  log(`wrote ${path.relative(REPO_ROOT, jsonFile)} and ${path.relative(REPO_ROOT, mdFile)}`);
  printSummary(results);
  return 0;
}

const scenarioError = (error: unknown) => (error instanceof Error ? error.message.slice(0, 500) : String(error));

/** Starts a target and records what ran (or why it could not), once per target. */
async function startTarget(name: TargetName, emulator: EmulatorHandle, targets: Partial<Record<TargetName, TargetRecord>>): Promise<Target | null> {
  const record: TargetRecord = targets[name] ?? { name, status: "ok", scenarios: {}, scenarioErrors: {} };
  targets[name] = record;
  try {
    const target = await starters[name](emulator);
    record.description = target.description;
    record.info = target.info;
    const idle = readRss(target.pid);
    if (idle && name !== "direct") target.info.idleRssMb = (idle.rssKb / 1024).toFixed(1);
    log(`${name}: ${target.description} at ${target.baseUrl} (pid ${target.pid})`);
    return target;
  } catch (error) {
    record.status = error instanceof TargetUnavailable ? "skipped" : "failed";
    record.reason = error instanceof Error ? error.message.split("\n").slice(0, 6).join(" ") : String(error);
    log(`${name}: ${record.status.toUpperCase()}: ${record.reason}`);
    return null;
  }
}

/** Every target up at once, idle while another is measured, for the interleaved latency scenarios. */
async function interleavedPhase(which: Interleaved[], emulator: EmulatorHandle, ctx: ScenarioContext, targets: Partial<Record<TargetName, TargetRecord>>): Promise<void> {
  const live: Target[] = [];
  try {
    for (const name of selected) {
      const target = await startTarget(name, emulator, targets);
      if (target) live.push(target);
    }
    for (const scenario of which) {
      const rounds = scenario === "converse-rate" ? config.converse.rounds : config.stream.rounds;
      log(`${scenario}: ${rounds} interleaved rounds over ${live.map((t) => t.name).join(", ")}`);
      const hooks = {
        onRound: (round: number, label: string) => log(`  round ${round}/${rounds}: ${label}`),
        onError: (name: TargetName, error: unknown) => {
          targets[name]!.scenarioErrors[scenario] = scenarioError(error);
          log(`  ${scenario}: ${name} FAILED: ${targets[name]!.scenarioErrors[scenario]}`);
        },
      };
      const results: Map<TargetName, unknown> = scenario === "converse-rate" ? await converseRateRounds(live, ctx, hooks) : await streamTtfbRounds(live, ctx, hooks);
      for (const [name, result] of results) {
        (targets[name]!.scenarios as Record<string, unknown>)[scenario] = result;
        log(`  ${scenario} ${name}: ${brief(scenario, result)}`);
      }
    }
  } finally {
    for (const target of live) await target.stop();
  }
}

/**
 * The direct row runs first; without this it would measure a cold emulator (JIT not warmed) while every later
 * target met a warm one, which would understate what the gateways add.
 */
async function warmEmulator(direct: Target, payloads: Payloads): Promise<void> {
  const seconds = config.mode === "quick" ? 0.5 : 5;
  const rate = config.converse.rates[config.converse.rates.length - 1]!;
  for (const [payload, stream] of [[payloads.converse, false], [payloads.stream, true]] as const) {
    const req = await direct.request(payload);
    await runLoad({ url: req.url, method: req.method, headers: req.headers, bodyFile: bodyFile(req.body), mode: "open", rate: stream ? config.stream.rate : rate, durationS: seconds, stream: stream ? { eventDelayMs: payload.eventDelayMs } : undefined, timeoutMs: 10_000 });
  }
  log(`emulator warmed up (${seconds} s converse at ${rate}/s, ${seconds} s streams)`);
}

function brief(scenario: ScenarioName, r: any): string {
  switch (scenario) {
    case "converse-rate":
      return r.map((x: any) => `${x.rate}/s p50 ${x.latency.p50} p99 ${x.latency.p99} ms, ${x.errors}/${x.sent} err, cpu ${x.cpuPct.target}%`).join("; ");
    case "throughput":
      return `${r.rps} req/s (${r.tool}), ${r.errors} err, ${r.non2xx} non-2xx, cpu ${r.cpuPct.target}% emu ${r.cpuPct.emulator}%, ${r.cpuUsPerRequest} µs CPU/request`;
    case "stream-ttfb":
      return `ttfb p50 ${r.ttfb?.p50} p99 ${r.ttfb?.p99} ms, event lateness p50 ${r.eventLateness?.p50} p99 ${r.eventLateness?.p99} ms, ${r.errors} err`;
    case "concurrent-streams":
      return `${r.load.maxInFlight} in flight, ${r.load.maxOpenStreams} open at once, ${r.load.ok} ok, ${r.load.errors} err, RSS ${r.rss.baselineMb} → ${r.rss.peakMb} MB (${r.perStreamKb} KB/stream)`;
    case "large-body":
      return `${(r.bytes / 1048576).toFixed(1)} MB: RSS ${r.rss.baselineMb} → ${r.rss.peakMb} MB, p50 ${r.load.latency.p50} ms, ${r.load.errors} err`;
  }
}

function printSummary(r: Results) {
  for (const block of r.summary.converseRate) {
    console.log(`\nConverse @ ${block.rate} req/s — added latency vs direct (ms)`);
    for (const row of block.rows) console.log(`  ${row.target.padEnd(11)} p50 ${fmt(row.addedP50)}  p90 ${fmt(row.addedP90)}  p99 ${fmt(row.addedP99)}  errors ${row.errors}/${row.sent}`);
  }
  if (r.summary.throughput.length) {
    console.log("\nThroughput");
    for (const row of r.summary.throughput) console.log(`  ${row.target.padEnd(11)} ${String(row.rps).padStart(6)} req/s  ×direct ${row.vsDirect ?? "–"}  ×portkey ${row.vsPortkey ?? "–"}`);
  }
  if (r.summary.checks.length && r.mode === "quick") {
    // A few seconds at low load say nothing about the goals; printing "MISSED" there would only be noise.
    console.log("\nTargets: not judged in a quick run (`npm run bench` judges them)");
  } else if (r.summary.checks.length) {
    console.log("\nTargets");
    for (const c of r.summary.checks) console.log(`  ${c.target.padEnd(11)} ${c.check}: ${c.value} (goal ${c.goal}) ${c.pass === null ? "?" : c.pass ? "met" : "MISSED"}`);
  }
}

const fmt = (v: number | null) => (v === null ? "  –  " : (v >= 0 ? "+" : "") + v.toFixed(3));

main()
  .then((code) => {
    killAll();
    process.exit(code);
  })
  .catch((error) => {
    console.error("bench failed:", error);
    killAll();
    process.exit(1);
  });
