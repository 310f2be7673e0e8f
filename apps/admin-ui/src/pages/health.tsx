import { useEffect, useState } from "preact/hooks";
import type { GatewayInfo } from "@bedrock-gateway/api-types";
import { admin, errorText } from "../api.ts";
import { when } from "../format.ts";

const stateClass = (v: string) => (v.startsWith("ok") ? "active" : v.startsWith("degraded") ? "expired" : v.startsWith("not configured") ? "" : "blocked");

function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${Math.floor(seconds % 60)} s`;
}

/** Health: readiness of each dependency (credentials, storage, Redis, spend queue), version and uptime. */
export function HealthPage() {
  const [readiness, setReadiness] = useState<Record<string, string> | null>(null);
  const [info, setInfo] = useState<GatewayInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    // 503 (not ready) still carries the per-dependency body.
    admin.GET("/health/readiness").then(({ data, error }) => setReadiness((data ?? error ?? null) as Record<string, string> | null));
    admin.GET("/health/info").then(({ data, error }) => (data ? setInfo(data) : setError(errorText(error))));
  }, [reload]);

  const entries = readiness ? Object.entries(readiness).filter(([k]) => k !== "status") : [];
  // Without REDIS_URL the check is absent: say so rather than leave the reader to guess.
  if (readiness && !("redis" in readiness)) entries.push(["redis", "not configured (limits and budgets are counted in this instance)"]);
  return (
    <section aria-labelledby="health-title">
      <div class="row between">
        <h1 id="health-title">Health</h1>
        <button type="button" onClick={() => setReload((n) => n + 1)}>Refresh</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {readiness && (
        <p class="status-line">Readiness: <span class={`badge ${stateClass(readiness.status)}`} data-testid="readiness">{readiness.status}</span></p>
      )}
      <dl class="cards">
        {info && (
          <>
            <div><dt>Version</dt><dd data-testid="version">{info.version}</dd></div>
            <div><dt>Runtime</dt><dd>{info.runtime}</dd></div>
            <div><dt>Storage driver</dt><dd>{info.storage}</dd></div>
            <div><dt>Up for</dt><dd data-testid="uptime">{uptime(info.uptime_seconds)}</dd></div>
            <div><dt>Started</dt><dd class="small">{when(info.started_at)}</dd></div>
          </>
        )}
      </dl>
      <div class="table-wrap">
        <table>
          <caption>Dependencies</caption>
          <thead><tr><th scope="col">Check</th><th scope="col">State</th></tr></thead>
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>
                  <span class={`badge ${stateClass(v)}`}>{v.startsWith("ok") ? "ok" : v.startsWith("not configured") ? "off" : v.split(":")[0]}</span>{" "}
                  {v === "ok" ? "" : v.replace(/^ok \((.*)\)$/, "$1")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
