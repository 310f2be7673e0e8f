/** Resident memory from /proc: VmRSS (now) and VmHWM (the kernel's own peak), summed over a process tree. */
import { readdirSync, readFileSync } from "node:fs";

export interface RssReading {
  rssKb: number;
  hwmKb: number;
}

export function readRss(pid: number): RssReading | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const rss = /VmRSS:\s+(\d+) kB/.exec(text);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(text);
  return { rssKb: rss ? Number(rss[1]) : 0, hwmKb: hwm ? Number(hwm[1]) : 0 };
}

/** The pid and all its descendants (nginx workers, runtimes that fork helpers). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function treeRssKb(root: number): number {
  let sum = 0;
  for (const pid of processTree(root)) sum += readRss(pid)?.rssKb ?? 0;
  return sum;
}

export interface RssSummary {
  baselineMb: number;
  peakMb: number;
  endMb: number;
  samples: number;
}

/** Samples a process tree's RSS every `intervalMs` (50 ms by default) and keeps the peak. */
export class RssSampler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private peakKb = 0;
  private baselineKb = 0;
  private samples = 0;
  private pids: number[];

  constructor(private readonly root: number, private readonly intervalMs = 50) {
    this.pids = processTree(root);
  }

  private sample(): number {
    let sum = 0;
    for (const pid of this.pids) sum += readRss(pid)?.rssKb ?? 0;
    this.samples++;
    if (sum > this.peakKb) this.peakKb = sum;
    return sum;
  }

  start(): this {
    this.baselineKb = this.sample();
    let n = 0;
    this.timer = setInterval(() => {
      if (++n % 20 === 0) this.pids = processTree(this.root); // pick up late-forked workers, cheaply
      this.sample();
    }, this.intervalMs);
    return this;
  }

  stop(): RssSummary {
    if (this.timer) clearInterval(this.timer);
    const end = this.sample();
    const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
    return { baselineMb: mb(this.baselineKb), peakMb: mb(this.peakKb), endMb: mb(end), samples: this.samples };
  }
}
