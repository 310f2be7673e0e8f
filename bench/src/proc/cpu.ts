/** CPU time from /proc/PID/stat (utime + stime, in clock ticks), turned into % of one core over a window. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { processTree } from "./rss.ts";

let ticksPerSecond: number | undefined;
function clkTck(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    ticksPerSecond = Number(r.stdout?.trim()) || 100;
  }
  return ticksPerSecond;
}

export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state=0 ... utime=11, stime=12.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function treeCpuTicks(root: number): number {
  let sum = 0;
  for (const pid of processTree(root)) sum += cpuTicks(pid);
  return sum;
}

/** Starts a CPU window over the given process trees; `stop()` returns % of one core per name. */
export function cpuWindow(pids: Record<string, number>): { stop(): Record<string, number> } {
  const t0 = performance.now();
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuTicks(pid)]));
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const out: Record<string, number> = {};
      for (const [k, pid] of Object.entries(pids)) {
        const used = (treeCpuTicks(pid) - start[k]!) / clkTck();
        out[k] = Math.round((used / seconds) * 1000) / 10;
      }
      return out;
    },
  };
}
