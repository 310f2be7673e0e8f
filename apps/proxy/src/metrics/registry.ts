/** A tiny Prometheus text-format registry: counters, gauges read at scrape time, and fixed-bucket histograms. */
export type Labels = Record<string, string>;

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface Series<T> {
  labels: Labels;
  value: T;
}

interface Metric {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** The series of one label set, found once: for callers that count the same labels again and again. */
  with(labels: Labels): { inc(by?: number): void };
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
  with(labels: Labels): { observe(value: number): void };
}

export interface Registry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string, read: () => number): void;
  /** A gauge with one series per label set, all read at scrape time. */
  labelledGauge(name: string, help: string, read: () => [Labels, number][]): void;
  histogram(name: string, help: string, buckets?: number[]): Histogram;
  /** The exposition text (`text/plain; version=0.0.4`). */
  render(): string;
}

export function createRegistry(): Registry {
  const metrics: Metric[] = [];

  return {
    counter(name, help) {
      const series = seriesSet(() => 0);
      metrics.push({ name, help, type: "counter", render: () => series.all().map((s) => `${name}${labelText(s.labels)} ${num(s.value)}`) });
      return {
        inc(labels = {}, by = 1) {
          series.find(labels).value += by;
        },
        with(labels) {
          const s = series.find(labels);
          return { inc: (by = 1) => void (s.value += by) };
        },
      };
    },
    gauge(name, help, read) {
      metrics.push({ name, help, type: "gauge", render: () => [`${name} ${num(read())}`] });
    },
    labelledGauge(name, help, read) {
      metrics.push({ name, help, type: "gauge", render: () => read().map(([labels, value]) => `${name}${labelText(labels)} ${num(value)}`) });
    },
    histogram(name, help, buckets = DURATION_BUCKETS) {
      const series = seriesSet(() => ({ counts: buckets.map(() => 0), sum: 0, count: 0 }));
      metrics.push({
        name,
        help,
        type: "histogram",
        render: () =>
          series.all().flatMap(({ labels, value }) => [
            ...buckets.map((b, i) => `${name}_bucket${labelText({ ...labels, le: String(b) })} ${value.counts[i]}`),
            `${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${value.count}`,
            `${name}_sum${labelText(labels)} ${num(value.sum)}`,
            `${name}_count${labelText(labels)} ${value.count}`,
          ]),
      });
      const add = (s: Series<{ counts: number[]; sum: number; count: number }>, v: number) => {
        for (let i = 0; i < buckets.length; i++) if (v <= buckets[i]) s.value.counts[i]++;
        s.value.sum += v;
        s.value.count++;
      };
      return {
        observe: (labels, v) => add(series.find(labels), v),
        with(labels) {
          const s = series.find(labels);
          return { observe: (v) => add(s, v) };
        },
      };
    },
    render() {
      return metrics.map((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.render()].join("\n")).join("\n") + "\n";
    },
  };
}

/**
 * One series per label set, whatever the order of its keys. Sorting the keys on every count once showed in
 * profiles; the per-request counts now go through series bound once (`with`), so this runs once per label set there.
 */
function seriesSet<T>(initial: () => T) {
  const series = new Map<string, Series<T>>();
  return {
    find(labels: Labels): Series<T> {
      let id = "";
      for (const k of Object.keys(labels).sort()) id += k + "\u0000" + labels[k] + "\u0001";
      let s = series.get(id);
      if (!s) series.set(id, (s = { labels, value: initial() }));
      return s;
    },
    all: () => [...series.values()],
  };
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
}
