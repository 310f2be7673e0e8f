import { useEffect, useMemo, useState } from "preact/hooks";
import type { BudgetUsage, SpendGroupBy, SpendReport } from "@bedrock-gateway/api-types";
import { admin, errorText } from "../api.ts";
import { TimeChart, type ChartSeries } from "../components/chart.tsx";
import { download, toCsv } from "../csv.ts";
import { count, isoDay, usd, when } from "../format.ts";

type Metric = "spend" | "requests" | "input_tokens" | "output_tokens";
type Point = SpendReport["series"][number];

const groupLabels: Record<SpendGroupBy, string> = { model: "Model", key: "Key", user: "User", team: "Team", end_user: "End user" };
const metricLabels: Record<Metric, string> = { spend: "Spend (USD)", requests: "Requests", input_tokens: "Input tokens", output_tokens: "Output tokens" };

function groupName(g: { group: string | null; label?: string | null; other: boolean }, by: SpendGroupBy): string {
  if (g.other) return "other";
  if (g.group === null) return `(no ${groupLabels[by].toLowerCase()})`;
  if (by === "key") return g.label ?? `${g.group.slice(0, 10)}…`;
  return g.group;
}

/** Every bucket of the range, so quiet hours show as zero rather than as a line drawn across them. */
function bucketsOf(report: SpendReport): number[] {
  const step = report.bucket === "hour" ? 3600 : 86400;
  const start = Math.floor(Date.parse(report.start_date) / 1000 / step) * step;
  const end = Date.parse(report.end_date) / 1000;
  const xs: number[] = [];
  for (let t = start; t < end && xs.length < 5000; t += step) xs.push(t);
  return xs;
}

function chartOf(report: SpendReport, metric: Metric): { xs: number[]; series: ChartSeries[] } {
  const xs = bucketsOf(report);
  const index = new Map(xs.map((x, i) => [x, i]));
  const keyOf = (p: { group: string | null; other: boolean }) => (p.other ? "\u0000other" : (p.group ?? "\u0000none"));
  const series = report.groups.map((g) => ({ key: keyOf(g), label: groupName(g, report.group_by), values: xs.map(() => 0 as number | null) }));
  const byKey = new Map(series.map((s) => [s.key, s]));
  for (const p of report.series as Point[]) {
    const i = index.get(Date.parse(p.bucket) / 1000);
    const s = byKey.get(keyOf(p));
    if (i !== undefined && s) s.values[i] = p[metric];
  }
  return { xs, series: series.map(({ label, values }) => ({ label, values })) };
}

/** Spend: totals and a chart over time by model / key / user / team / end user; budgets; CSV export. */
export function SpendPage() {
  const today = new Date();
  const [start, setStart] = useState(isoDay(new Date(today.getTime() - 6 * 86_400_000)));
  const [end, setEnd] = useState(isoDay(today));
  const [bucket, setBucket] = useState<"hour" | "day">("day");
  const [groupBy, setGroupBy] = useState<SpendGroupBy>("model");
  const [metric, setMetric] = useState<Metric>("spend");
  const [report, setReport] = useState<SpendReport | null>(null);
  const [budgets, setBudgets] = useState<BudgetUsage[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    admin.GET("/spend/report", { params: { query: { start_date: start, end_date: end, bucket, group_by: groupBy, limit: 8 } } }).then(({ data, error }) => {
      if (!live) return;
      if (data) (setReport(data), setError(null));
      else setError(errorText(error));
    });
    return () => void (live = false);
  }, [start, end, bucket, groupBy]);

  useEffect(() => {
    admin.GET("/spend/budgets", { params: { query: { limit: 100 } } }).then(({ data }) => setBudgets(data?.data ?? []));
  }, []);

  const chart = useMemo(() => (report ? chartOf(report, metric) : null), [report, metric]);
  const format = metric === "spend" ? usd : count;

  const exportCsv = () => {
    if (!report) return;
    const header = ["bucket", report.group_by, "label", "spend_usd", "requests", "errors", "input_tokens", "output_tokens", "unpriced_requests"];
    const labels = new Map(report.groups.map((g) => [g.group, g.label]));
    const rows = report.series.map((p) => [p.bucket, p.other ? "other" : p.group, p.other ? null : (labels.get(p.group) ?? null), p.spend, p.requests, p.errors, p.input_tokens, p.output_tokens, p.unpriced_requests]);
    download(`spend-${report.group_by}-${report.bucket}-${start}-to-${end}.csv`, toCsv(header, rows));
  };

  const t = report?.totals;
  return (
    <section aria-labelledby="spend-title">
      <div class="row between">
        <h1 id="spend-title">Spend</h1>
        <button type="button" onClick={exportCsv} disabled={!report}>Export CSV</button>
      </div>
      <form class="filters" aria-label="Spend range and grouping" onSubmit={(e) => e.preventDefault()}>
        <label class="field"><span>From</span><input type="date" name="start_date" value={start} max={end} onInput={(e) => setStart((e.target as HTMLInputElement).value)} /></label>
        <label class="field"><span>To</span><input type="date" name="end_date" value={end} min={start} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} /></label>
        <label class="field">
          <span>Buckets</span>
          <select name="bucket" value={bucket} onChange={(e) => setBucket((e.target as HTMLSelectElement).value as "hour" | "day")}>
            <option value="day">day</option>
            <option value="hour">hour</option>
          </select>
        </label>
        <label class="field">
          <span>Group by</span>
          <select name="group_by" value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as SpendGroupBy)}>
            {Object.entries(groupLabels).map(([value, label]) => <option value={value} key={value}>{label}</option>)}
          </select>
        </label>
        <label class="field">
          <span>Show</span>
          <select name="metric" value={metric} onChange={(e) => setMetric((e.target as HTMLSelectElement).value as Metric)}>
            {Object.entries(metricLabels).map(([value, label]) => <option value={value} key={value}>{label}</option>)}
          </select>
        </label>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {t && (
        <dl class="cards" aria-label="Totals over the range">
          <div><dt>Spend</dt><dd data-testid="total-spend">{usd(t.spend)}</dd></div>
          <div><dt>Requests</dt><dd data-testid="total-requests">{count(t.requests)}</dd></div>
          <div><dt>Errors</dt><dd>{count(t.errors)}</dd></div>
          <div><dt>Input tokens</dt><dd>{count(t.input_tokens)}</dd></div>
          <div><dt>Output tokens</dt><dd>{count(t.output_tokens)}</dd></div>
          <div><dt>Without a price</dt><dd>{count(t.unpriced_requests)}</dd></div>
        </dl>
      )}
      {chart && report && (
        <TimeChart title={`${metricLabels[metric]} per ${report.bucket} by ${groupLabels[report.group_by].toLowerCase()}`} xs={chart.xs} series={chart.series} format={format} hourly={report.bucket === "hour"} />
      )}
      {report && (
        <div class="table-wrap">
          <table data-testid="spend-groups">
            <caption>By {groupLabels[report.group_by].toLowerCase()}, {when(report.start_date)} to {when(report.end_date)}</caption>
            <thead>
              <tr><th scope="col">{groupLabels[report.group_by]}</th><th scope="col">Spend</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Input tokens</th><th scope="col">Output tokens</th></tr>
            </thead>
            <tbody>
              {report.groups.map((g) => (
                <tr key={`${g.group}-${g.other}`}>
                  <td>{groupName(g, report.group_by)}</td><td>{usd(g.spend)}</td><td>{count(g.requests)}</td><td>{count(g.errors)}</td><td>{count(g.input_tokens)}</td><td>{count(g.output_tokens)}</td>
                </tr>
              ))}
              {report.groups.length === 0 && <tr><td colSpan={6} class="muted">No calls in this range.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <h2>Budgets</h2>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Budgets and how much of each is used</caption>
          <thead><tr><th scope="col">Holder</th><th scope="col">Used</th><th scope="col">Spend</th><th scope="col">Budget</th><th scope="col">Resets</th></tr></thead>
          <tbody>
            {budgets?.map((b) => {
              const used = b.max_budget > 0 ? Math.min(1, b.spend / b.max_budget) : 1;
              const name = `${b.kind.replace("_", " ")} ${b.label ?? (b.kind === "key" ? b.id.slice(0, 10) + "…" : b.id)}`;
              return (
                <tr key={b.kind + b.id}>
                  <td>{name}</td>
                  <td><meter min={0} max={1} low={0.7} high={0.9} optimum={0} value={used} aria-label={`${name}: ${Math.round(used * 100)} % used`} /> {Math.round(used * 100)} %</td>
                  <td>{usd(b.spend)}</td><td>{usd(b.max_budget)}{b.budget_duration ? ` per ${b.budget_duration}` : ""}</td><td>{when(b.budget_reset_at)}</td>
                </tr>
              );
            })}
            {budgets && budgets.length === 0 && <tr><td colSpan={5} class="muted">No budgets set.</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}
