import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

const palette = ["#2563eb", "#db2777", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#dc2626", "#4b5563"];

/** A stacked-looking line chart over time (seconds since epoch on x) drawn with uPlot on a canvas. */
export function TimeChart(props: { title: string; xs: number[]; series: ChartSeries[]; format(n: number): string; hourly: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const width = Math.max(320, host.current.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 280,
        scales: { x: { time: true } },
        axes: [
          { stroke: "#374151", grid: { stroke: "#e5e7eb" } },
          {
            stroke: "#374151",
            grid: { stroke: "#e5e7eb" },
            values: (_u, ticks) => ticks.map((t) => props.format(t)),
            // As wide as the longest tick label (tiny USD amounts are long), so none is cut off.
            size: (_u, values) => 24 + 7.5 * Math.max(4, ...(values ?? []).map((v) => String(v).length)),
          },
        ],
        series: [
          { label: props.hourly ? "Hour (UTC)" : "Day (UTC)" },
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            width: 2,
            points: { show: props.xs.length < 60 },
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : props.format(v)),
          })),
        ],
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      },
      [props.xs, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
      host.current,
    );
    return () => plot.destroy();
  }, [props.xs, props.series, props.hourly]);
  return <figure class="chart" aria-label={props.title}><div ref={host} /><figcaption class="sr-only">{props.title}</figcaption></figure>;
}
