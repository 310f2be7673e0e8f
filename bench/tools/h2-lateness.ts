/**
 * Event lateness of N concurrent slow ConverseStreams through the gateway, HTTP/1.1 next to h2c, with the CPU each
 * process used: what `h2-rows.ts` reports as one p99, taken apart. Optionally a busy loop shares the gateway's core
 * (`--hog`), or the load generator's and emulator's (`--hog=load`), or one on each (`--hog=both`), `--hogs=N` of them
 * per core, as other work on a shared machine does, to see which side degrades how when starved.
 *
 *   npx bun bench/tools/h2-lateness.ts [--streams=1000] [--events=20] [--delay=500] [--ramp=250] [--runtimes=deno]
 *                                  [--protocols=h1,h2] [--hog[=load|both]] [--hogs=1]
 */
import { readFileSync } from "node:fs";
import { FULL, type BenchConfig } from "../src/config.ts";
import { conversePayload, largePayload, streamPayload } from "../src/payloads.ts";
import { cpuTicks } from "../src/proc/cpu.ts";
import { CORE_GATEWAY, CORE_LOAD, installCleanup, pinSelf, runTool, startProcess } from "../src/proc/spawn.ts";
import { concurrentStreams } from "../src/scenarios/concurrent-streams.ts";
import type { ScenarioContext } from "../src/scenarios/types.ts";
import { startEmulatorProcess } from "../src/targets/emulator.ts";
import { startProxy } from "../src/targets/proxy.ts";

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith("--")).map((a) => [a.slice(2, a.indexOf("=") > 0 ? a.indexOf("=") : undefined), a.split("=")[1] ?? ""]));
const num = (name: string, fallback: number) => Number(flags.get(name) ?? fallback);
const concurrent = { streams: num("streams", 1000), events: num("events", 20), eventDelayMs: num("delay", 500), rampPerS: num("ramp", 250) };
const runtimes = (flags.get("runtimes") ?? "deno").split(",") as ("bun" | "deno")[];
const protocols = (flags.get("protocols") ?? "h1,h2").split(",") as ("h1" | "h2")[];
const hogCores = !flags.has("hog") ? [] : flags.get("hog") === "load" ? [CORE_LOAD] : flags.get("hog") === "both" ? [CORE_LOAD, CORE_GATEWAY] : [CORE_GATEWAY];
const config: BenchConfig = { ...structuredClone(FULL), concurrent };

/** CPU seconds used by this process's reaped children (the load generators, which exit after each run). */
function childrenCpuS(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ": cutime=13, cstime=14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function main() {
  installCleanup();
  pinSelf(CORE_LOAD);
  const emulator = await startEmulatorProcess();
  const { events, eventDelayMs } = concurrent;
  const ctx: ScenarioContext = {
    config,
    payloads: { converse: conversePayload(), stream: streamPayload(1, 0), slowStream: streamPayload(events, eventDelayMs), large: largePayload(1) },
    emulatorPid: emulator.pid,
  };
  console.log(`${concurrent.streams} streams, ${events} events × ${eventDelayMs} ms, ramp ${concurrent.rampPerS}/s${hogCores.length ? `, a busy loop on core ${hogCores.join(" and ")} (gateway: ${CORE_GATEWAY})` : ""}`);
  console.log("| target | first event p50 / p99 ms | lateness p50 / p90 / p99 / max ms | gateway CPU s | emulator CPU s | load generator CPU s | errors |");
  console.log("|---|---|---|---|---|---|---|");
  for (const runtime of runtimes) {
    const proxy = await startProxy(runtime, emulator);
    for (const protocol of protocols) {
      // Ends by itself after 3 minutes, should this tool be killed before it stops it.
      const busy = hogCores.flatMap((core) => Array.from({ length: num("hogs", 1) }, () => core)).map((core) => startProcess("hog", process.execPath, ["-e", "const end = Date.now() + 180000; while (Date.now() < end);"], { core }));
      const gateway0 = cpuTicks(proxy.pid);
      const emulator0 = cpuTicks(emulator.pid);
      const load0 = childrenCpuS();
      const r = await concurrentStreams({ ...proxy, protocol }, ctx);
      await Promise.all(busy.map((b) => b.stop()));
      const gatewayS = (cpuTicks(proxy.pid) - gateway0) / 100;
      const emulatorS = (cpuTicks(emulator.pid) - emulator0) / 100;
      const l = r.load.eventLateness!;
      console.log(
        `| ${runtime} ${protocol === "h2" ? "h2c" : "h1.1"} | ${r.load.ttfb?.p50.toFixed(1)} / ${r.load.ttfb?.p99.toFixed(1)} | ${l.p50.toFixed(1)} / ${l.p90.toFixed(1)} / ${l.p99.toFixed(1)} / ${l.max.toFixed(1)} | ${gatewayS.toFixed(2)} | ${emulatorS.toFixed(2)} | ${(childrenCpuS() - load0).toFixed(2)} | ${r.load.errors}/${r.load.sent} |`,
      );
    }
    await proxy.stop();
  }
  await emulator.proc.stop();
}

runTool(main);
