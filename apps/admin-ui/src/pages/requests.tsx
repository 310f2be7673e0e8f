import { useEffect, useRef, useState } from "preact/hooks";
import type { SpendLog, SpendLogsResponse } from "@bedrock-gateway/api-types";
import { admin, errorText } from "../api.ts";
import { Pager } from "../components/pager.tsx";
import { count, ms, usd, when } from "../format.ts";

const PAGE_SIZE = 25;
type Filters = { api_key: string; user_id: string; end_user: string; model: string; start_date: string; end_date: string };
const none: Filters = { api_key: "", user_id: "", end_user: "", model: "", start_date: "", end_date: "" };

/** Requests: the recent spend log, filterable, newest first, with every recorded field of one call on demand. */
export function RequestsPage() {
  const [filters, setFilters] = useState<Filters>(none);
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<SpendLogsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [detail, setDetail] = useState<SpendLog | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== "")) as Partial<Filters>;
    admin.GET("/spend/logs", { params: { query: { ...query, page, page_size: PAGE_SIZE } } }).then(({ data, error }) => {
      if (!live) return;
      if (data) (setResult(data), setError(null));
      else setError(errorText(error));
    });
    return () => void (live = false);
  }, [filters, page, reload]);

  const input = (name: keyof Filters, label: string, type = "text") => (
    <label class="field">
      <span>{label}</span>
      <input type={type} name={name} value={filters[name]} onInput={(e) => (setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value }), setPage(1))} />
    </label>
  );

  return (
    <section aria-labelledby="requests-title">
      <div class="row between">
        <h1 id="requests-title">Requests</h1>
        <button type="button" onClick={() => setReload((n) => n + 1)}>Refresh</button>
      </div>
      <form class="filters" aria-label="Filter requests" onSubmit={(e) => e.preventDefault()}>
        {input("api_key", "Key (sk-… or token)")}
        {input("user_id", "User")}
        {input("end_user", "End user")}
        {input("model", "Model")}
        {input("start_date", "From", "date")}
        {input("end_date", "To", "date")}
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="table-wrap">
        <table data-testid="requests">
          <caption class="sr-only">Recent requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th><th scope="col">Key</th><th scope="col">Operation</th><th scope="col">Model</th><th scope="col">Status</th>
              <th scope="col">Latency</th><th scope="col">Tokens in / out</th><th scope="col">Cost</th><th scope="col">End user</th><th scope="col"><span class="sr-only">Details</span></th>
            </tr>
          </thead>
          <tbody>
            {result?.data.map((r) => (
              <tr key={r.request_id} data-request={r.request_id}>
                <td>{when(r.startTime)}</td>
                <td>{r.key_alias ?? (r.api_key ? r.api_key.slice(0, 10) + "…" : "master")}</td>
                <td>{r.operation ?? "—"}</td>
                <td>{r.model ?? "—"}</td>
                <td><span class={`badge ${r.status < 400 ? "active" : "blocked"}`}>{r.status}</span></td>
                <td>{ms(r.latency_ms)}</td>
                <td>{count(r.input_tokens)} / {count(r.output_tokens)}</td>
                <td data-testid="cost">{usd(r.spend)}</td>
                <td>{r.end_user ?? "—"}</td>
                <td><button type="button" onClick={() => setDetail(r)} aria-label={`Details of request ${r.request_id}`}>Details</button></td>
              </tr>
            ))}
            {result && result.data.length === 0 && <tr><td colSpan={10} class="muted">No requests match.</td></tr>}
          </tbody>
        </table>
      </div>
      {result && <Pager page={page} pages={Math.ceil(result.total / PAGE_SIZE)} total={result.total} onPage={setPage} label="requests" />}
      {detail && <RequestDetail log={detail} onClose={() => setDetail(null)} />}
    </section>
  );
}

function RequestDetail(props: { log: SpendLog; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => ref.current?.showModal(), []);
  const fields = Object.entries(props.log).filter(([k]) => k !== "request_body" && k !== "response_body");
  return (
    <dialog ref={ref} class="dialog wide" aria-labelledby="detail-title" onCancel={props.onClose} onClose={props.onClose}>
      <h2 id="detail-title">Request {props.log.request_id}</h2>
      <dl class="detail">
        {fields.map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)}</dd></div>
        ))}
      </dl>
      {props.log.request_body && (<><h3>Request body</h3><pre>{props.log.request_body}</pre></>)}
      {props.log.response_body && (<><h3>Response body</h3><pre>{props.log.response_body}</pre></>)}
      <div class="row end"><button type="button" class="primary" onClick={props.onClose}>Close</button></div>
    </dialog>
  );
}
