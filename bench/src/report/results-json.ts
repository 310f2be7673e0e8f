/** The results file: everything measured, plus the derived summary (added latency, ratios, target checks). */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BenchConfig } from "../config.ts";
import type { ConverseRateResult } from "../scenarios/converse-rate.ts";
import type { ConcurrentStreamsResult } from "../scenarios/concurrent-streams.ts";
import type { LargeBodyResult } from "../scenarios/large-body.ts";
import type { ThroughputScenarioResult } from "../scenarios/throughput.ts";
import type { ScenarioName } from "../scenarios/types.ts";
import type { LoadResult } from "../load/spec.ts";
import { ALL_TARGETS, type TargetName } from "../targets/types.ts";

export interface TargetRecord {
  name: TargetName;
  status: "ok" | "skipped" | "failed";
  description?: string;
  info?: Record<string, string>;
  reason?: string;
  scenarios: {
    "converse-rate"?: ConverseRateResult[];
    throughput?: ThroughputScenarioResult;
    "stream-ttfb"?: LoadResult & { rounds?: number };
    "concurrent-streams"?: ConcurrentStreamsResult;
    "large-body"?: LargeBodyResult;
  };
  scenarioErrors: Partial<Record<ScenarioName, string>>;
}

export interface Results {
  schema: 1;
  mode: "quick" | "full";
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: Record<string, unknown>;
  method: Record<string, string>;
  config: BenchConfig;
  targets: Partial<Record<TargetName, TargetRecord>>;
  summary: Summary;
}

const r2 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100;

export interface Summary {
  converseRate: {
    rate: number;
    rows: { target: TargetName; p50: number; p90: number; p99: number; addedP50: number | null; addedP90: number | null; addedP99: number | null; errors: number; sent: number; achievedRate: number; cpuPct: number | null; addedP50VsPortkey: number | null; addedP99VsPortkey: number | null; generatorLagP99: number }[];
  }[];
  throughput: { target: TargetName; rps: number; vsDirect: number | null; vsPortkey: number | null; vsNginx: number | null; errors: number; non2xx: number; cpuPct: number | null; emulatorCpuPct: number | null; cpuUsPerRequest: number | null; tool: string }[];
  stream: { target: TargetName; ttfbP50: number; ttfbP99: number; addedTtfbP50: number | null; addedTtfbP99: number | null; eventP50: number; eventP99: number; addedEventP50: number | null; addedEventP99: number | null; errors: number; eventsPerStream: number }[];
  concurrent: { target: TargetName; streams: number; maxInFlight: number; maxOpenStreams: number | null; completed: number; errors: number; baselineMb: number; peakMb: number; perStreamKb: number; peakVsPortkey: number | null }[];
  largeBody: { target: TargetName; bytes: number; peakMb: number; baselineMb: number; latencyP50: number; errors: number; peakVsPortkey: number | null }[];
  checks: { target: TargetName; check: string; value: string; goal: string; pass: boolean | null }[];
}

export function summarize(targets: Partial<Record<TargetName, TargetRecord>>): Summary {
  const ok = ALL_TARGETS.filter((t) => targets[t]?.status === "ok").map((t) => targets[t]!);
  const s: Summary = { converseRate: [], throughput: [], stream: [], concurrent: [], largeBody: [], checks: [] };
  const direct = targets.direct;

  const rates = [...new Set(ok.flatMap((t) => (t.scenarios["converse-rate"] ?? []).map((r) => r.rate)))];
  for (const rate of rates) {
    const at = (t: TargetRecord | undefined) => t?.scenarios["converse-rate"]?.find((r) => r.rate === rate);
    const d = at(direct);
    const pk = at(targets.portkey);
    const added = (x: ConverseRateResult | undefined, q: "p50" | "p90" | "p99") => (x && d ? r2(x.latency[q] - d.latency[q]) : null);
    s.converseRate.push({
      rate,
      rows: ok
        .filter((t) => at(t))
        .map((t) => {
          const x = at(t)!;
          return {
            target: t.name,
            p50: x.latency.p50,
            p90: x.latency.p90,
            p99: x.latency.p99,
            addedP50: t.name === "direct" ? 0 : added(x, "p50"),
            addedP90: t.name === "direct" ? 0 : added(x, "p90"),
            addedP99: t.name === "direct" ? 0 : added(x, "p99"),
            errors: x.errors,
            sent: x.sent,
            achievedRate: x.achievedRate,
            cpuPct: x.cpuPct.target ?? null,
            addedP50VsPortkey: t.name === "direct" ? null : ratio(added(x, "p50"), added(pk, "p50")),
            addedP99VsPortkey: t.name === "direct" ? null : ratio(added(x, "p99"), added(pk, "p99")),
            generatorLagP99: x.sendLag.p99,
          };
        }),
    });
  }

  const tp = (t: TargetRecord | undefined) => t?.scenarios.throughput;
  for (const t of ok) {
    const x = tp(t);
    if (!x) continue;
    s.throughput.push({
      target: t.name,
      rps: x.rps,
      vsDirect: ratio(x.rps, tp(direct)?.rps),
      vsPortkey: ratio(x.rps, tp(targets.portkey)?.rps),
      vsNginx: ratio(x.rps, tp(targets.nginx)?.rps),
      errors: x.errors,
      non2xx: x.non2xx,
      cpuPct: x.cpuPct.target ?? null,
      emulatorCpuPct: x.cpuPct.emulator ?? null,
      cpuUsPerRequest: x.cpuUsPerRequest ?? null,
      tool: x.tool,
    });
  }

  const st = (t: TargetRecord | undefined) => t?.scenarios["stream-ttfb"];
  const ds = st(direct);
  for (const t of ok) {
    const x = st(t);
    if (!x?.ttfb || !x.eventLateness) continue;
    const isDirect = t.name === "direct";
    s.stream.push({
      target: t.name,
      ttfbP50: x.ttfb.p50,
      ttfbP99: x.ttfb.p99,
      addedTtfbP50: isDirect ? 0 : ds?.ttfb ? r2(x.ttfb.p50 - ds.ttfb.p50) : null,
      addedTtfbP99: isDirect ? 0 : ds?.ttfb ? r2(x.ttfb.p99 - ds.ttfb.p99) : null,
      eventP50: x.eventLateness.p50,
      eventP99: x.eventLateness.p99,
      addedEventP50: isDirect ? 0 : ds?.eventLateness ? r2(x.eventLateness.p50 - ds.eventLateness.p50) : null,
      addedEventP99: isDirect ? 0 : ds?.eventLateness ? r2(x.eventLateness.p99 - ds.eventLateness.p99) : null,
      errors: x.errors,
      eventsPerStream: x.eventsPerStream ?? 0,
    });
  }

  const cs = (t: TargetRecord | undefined) => t?.scenarios["concurrent-streams"];
  for (const t of ok) {
    const x = cs(t);
    if (!x) continue;
    s.concurrent.push({
      target: t.name,
      streams: x.streams,
      maxInFlight: x.load.maxInFlight,
      maxOpenStreams: x.load.maxOpenStreams ?? null,
      completed: x.load.ok,
      errors: x.load.errors,
      baselineMb: x.rss.baselineMb,
      peakMb: x.rss.peakMb,
      perStreamKb: x.perStreamKb,
      peakVsPortkey: ratio(x.rss.peakMb, cs(targets.portkey)?.rss.peakMb),
    });
  }

  const lb = (t: TargetRecord | undefined) => t?.scenarios["large-body"];
  for (const t of ok) {
    const x = lb(t);
    if (!x) continue;
    s.largeBody.push({
      target: t.name,
      bytes: x.bytes,
      peakMb: x.rss.peakMb,
      baselineMb: x.rss.baselineMb,
      latencyP50: x.load.latency.p50,
      errors: x.load.errors,
      peakVsPortkey: ratio(x.rss.peakMb, lb(targets.portkey)?.rss.peakMb),
    });
  }

  // The targets, for our proxy on each runtime. Informational: nothing here fails a run.
  for (const name of ["proxy-bun", "proxy-deno"] as TargetName[]) {
    if (targets[name]?.status !== "ok") continue;
    const add = (check: string, value: number | null | undefined, goal: string, pass: (v: number) => boolean, unit = "") =>
      s.checks.push({ target: name, check, value: value === null || value === undefined ? "n/a" : `${value}${unit}`, goal, pass: value === null || value === undefined ? null : pass(value) });
    const top = s.converseRate.find((r) => r.rate === 1000) ?? s.converseRate[s.converseRate.length - 1];
    const row = top?.rows.find((r) => r.target === name);
    const pkRow = top?.rows.find((r) => r.target === "portkey");
    add(`p50 added @ ${top?.rate ?? "?"} req/s`, row?.addedP50, "< 0.5 ms (issue 2: < 1 ms)", (v) => v < 0.5, " ms");
    add(`p99 added @ ${top?.rate ?? "?"} req/s`, row?.addedP99, "< 3 ms", (v) => v < 3, " ms");
    const t = s.throughput.find((r) => r.target === name);
    add("throughput vs direct", t?.vsDirect, "≥ 0.5×", (v) => v >= 0.5, "×");
    const e = s.stream.find((r) => r.target === name);
    add("per-event added delay p50", e?.addedEventP50, "< 1 ms", (v) => v < 1, " ms");
    const c = s.concurrent.find((r) => r.target === name);
    add(`peak RSS with ${c?.streams ?? "?"} streams`, c?.peakMb, "< 200 MB (for 1,000)", (v) => v < 200, " MB");
    if (targets.portkey?.status === "ok") {
      const pkT = s.throughput.find((r) => r.target === "portkey");
      const pkE = s.stream.find((r) => r.target === "portkey");
      const pkC = s.concurrent.find((r) => r.target === "portkey");
      const pkL = s.largeBody.find((r) => r.target === "portkey");
      const l = s.largeBody.find((r) => r.target === name);
      const ahead = [
        row && pkRow && row.addedP50 !== null && pkRow.addedP50 !== null ? row.addedP50 <= pkRow.addedP50 : null,
        row && pkRow && row.addedP99 !== null && pkRow.addedP99 !== null ? row.addedP99 <= pkRow.addedP99 : null,
        t && pkT ? t.rps >= pkT.rps : null,
        e && pkE && e.addedEventP50 !== null && pkE.addedEventP50 !== null ? e.addedEventP50 <= pkE.addedEventP50 : null,
        c && pkC ? c.peakMb <= pkC.peakMb : null,
        l && pkL ? l.peakMb <= pkL.peakMb : null,
      ].filter((v): v is boolean => v !== null);
      s.checks.push({ target: name, check: "ahead of Portkey", value: `${ahead.filter(Boolean).length}/${ahead.length} rows`, goal: "every row", pass: ahead.length ? ahead.every(Boolean) : null });
    }
  }
  return s;
}

export function writeResultsJson(results: Results, dir: string, file: string): string {
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, file);
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  return out;
}
