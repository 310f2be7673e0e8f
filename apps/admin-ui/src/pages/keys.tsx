import { useEffect, useState } from "preact/hooks";
import type { GenerateKeyRequest, KeyInfo, KeyResponse, KeySearchResponse } from "@bedrock-gateway/api-types";
import { admin, errorText } from "../api.ts";
import { Confirm } from "../components/confirm.tsx";
import { Pager } from "../components/pager.tsx";
import { SecretOnce } from "../components/secret-once.tsx";
import { usd, when } from "../format.ts";
import { KeyForm } from "./key-form.tsx";

type State = "" | "active" | "blocked" | "expired";
type Pending = { kind: "delete" | "regenerate"; key: KeyInfo } | null;

const PAGE_SIZE = 20;

function stateOf(key: KeyInfo): string {
  if (key.blocked) return "blocked";
  if (key.expires && Date.parse(key.expires) <= Date.now()) return "expired";
  return "active";
}

function secretsOf(r: KeyResponse) {
  const secrets = [{ id: "key", label: "Key", value: r.key }];
  if (r.aws_access_key_id && r.aws_secret_access_key) {
    secrets.push(
      { id: "aws_access_key_id", label: "AWS access key id", value: r.aws_access_key_id },
      { id: "aws_secret_access_key", label: "AWS secret access key", value: r.aws_secret_access_key },
    );
  }
  return secrets;
}

/** Keys: search, filter, page; create, edit, block/unblock, regenerate, delete. */
export function KeysPage() {
  const [q, setQ] = useState("");
  const [state, setState] = useState<State>("");
  const [owner, setOwner] = useState({ user_id: "", team_id: "", model: "" });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<KeySearchResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<{ editing?: KeyInfo } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<KeyResponse | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    admin
      .GET("/key/search", {
        params: { query: { q: q || undefined, state: state || undefined, user_id: owner.user_id || undefined, team_id: owner.team_id || undefined, model: owner.model || undefined, page, size: PAGE_SIZE } },
      })
      .then(({ data, error }) => {
        if (!live) return;
        if (data) (setResult(data), setError(null));
        else setError(errorText(error));
      });
    return () => void (live = false);
  }, [q, state, owner, page, reload]);

  const refresh = () => setReload((n) => n + 1);

  const save = async (body: GenerateKeyRequest) => {
    setBusy(true);
    const editing = form?.editing;
    const { data, error } = editing
      ? await admin.POST("/key/update", { body: { ...body, key: editing.token } })
      : await admin.POST("/key/generate", { body });
    setBusy(false);
    if (error || !data) return setFormError(errorText(error));
    setForm(null);
    setFormError(null);
    if (!editing) setSecret(data as KeyResponse);
    refresh();
  };

  const setBlocked = async (key: KeyInfo, blocked: boolean) => {
    const { error } = await admin.POST(blocked ? "/key/block" : "/key/unblock", { body: { key: key.token } });
    if (error) setError(errorText(error));
    refresh();
  };

  const confirmPending = async () => {
    if (!pending) return;
    const { kind, key } = pending;
    setPending(null);
    if (kind === "delete") {
      const { error } = await admin.POST("/key/delete", { body: { keys: [key.token] } });
      if (error) setError(errorText(error));
    } else {
      const { data, error } = await admin.POST("/key/regenerate", { body: { key: key.token } });
      if (error || !data) setError(errorText(error));
      else setSecret(data);
    }
    refresh();
  };

  const filter = (patch: Partial<typeof owner>) => (setOwner({ ...owner, ...patch }), setPage(1));

  return (
    <section aria-labelledby="keys-title">
      <div class="row between">
        <h1 id="keys-title">Keys</h1>
        <button type="button" class="primary" onClick={() => (setForm({}), setFormError(null))}>Create key</button>
      </div>
      {secret && <SecretOnce title={`Key ${secret.key_alias ?? ""} issued`} secrets={secretsOf(secret)} onClose={() => setSecret(null)} />}
      {form && <KeyForm editing={form.editing} busy={busy} error={formError} onSubmit={save} onCancel={() => setForm(null)} />}
      <form class="filters" role="search" aria-label="Filter keys" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span>Search</span>
          <input type="search" name="q" value={q} placeholder="alias, user, team, sk-...abcd, BGWA…" onInput={(e) => (setQ((e.target as HTMLInputElement).value), setPage(1))} />
        </label>
        <label class="field">
          <span>State</span>
          <select name="state" value={state} onChange={(e) => (setState((e.target as HTMLSelectElement).value as State), setPage(1))}>
            <option value="">any</option>
            <option value="active">active</option>
            <option value="blocked">blocked</option>
            <option value="expired">expired</option>
          </select>
        </label>
        <label class="field">
          <span>User</span>
          <input name="user_id" value={owner.user_id} onInput={(e) => filter({ user_id: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          <span>Team</span>
          <input name="team_id" value={owner.team_id} onInput={(e) => filter({ team_id: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="field">
          <span>Model</span>
          <input name="model" value={owner.model} onInput={(e) => filter({ model: (e.target as HTMLInputElement).value })} />
        </label>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Virtual keys</caption>
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Key</th>
              <th scope="col">Owner</th>
              <th scope="col">Models</th>
              <th scope="col">Regions</th>
              <th scope="col">Spend / budget</th>
              <th scope="col">Limits</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {result?.keys.map((k) => {
              const st = stateOf(k);
              const name = k.key_alias ?? k.key_name;
              return (
                <tr key={k.token} data-key={k.key_alias ?? k.token}>
                  <td class="nowrap">{k.key_alias ?? "—"}</td>
                  <td><code>{k.key_name}</code>{k.aws_access_key_id && <div><code class="muted">{k.aws_access_key_id}</code></div>}</td>
                  <td>{[k.user_id && `user ${k.user_id}`, k.team_id && `team ${k.team_id}`].filter(Boolean).join(", ") || "—"}</td>
                  <td>{k.models.length ? k.models.join(", ") : "all"}</td>
                  <td class="regions">{k.allowed_regions.length ? k.allowed_regions.join(", ") : "any"}</td>
                  <td>{usd(k.spend)} / {k.max_budget === null || k.max_budget === undefined ? "∞" : usd(k.max_budget)}{k.budget_duration ? ` per ${k.budget_duration}` : ""}</td>
                  <td>{[k.rpm_limit != null && `${k.rpm_limit} rpm`, k.tpm_limit != null && `${k.tpm_limit} tpm`].filter(Boolean).join(", ") || "—"}</td>
                  <td>{when(k.expires)}</td>
                  <td><span class={`badge ${st}`}>{st}</span></td>
                  <td class="actions">
                    <button type="button" onClick={() => (setForm({ editing: k }), setFormError(null))} aria-label={`Edit ${name}`}>Edit</button>
                    <button type="button" onClick={() => setBlocked(k, !k.blocked)} aria-label={`${k.blocked ? "Unblock" : "Block"} ${name}`}>{k.blocked ? "Unblock" : "Block"}</button>
                    <button type="button" onClick={() => setPending({ kind: "regenerate", key: k })} aria-label={`Regenerate ${name}`}>Regenerate</button>
                    <button type="button" class="danger" onClick={() => setPending({ kind: "delete", key: k })} aria-label={`Delete ${name}`}>Delete</button>
                  </td>
                </tr>
              );
            })}
            {result && result.keys.length === 0 && (
              <tr><td colSpan={10} class="muted">No keys match.</td></tr>
            )}
          </tbody>
        </table>
      </div>
      {result && <Pager page={page} pages={result.total_pages} total={result.total_count} onPage={setPage} label="keys" />}
      {pending && (
        <Confirm
          title={pending.kind === "delete" ? "Delete this key?" : "Regenerate this key?"}
          message={
            pending.kind === "delete"
              ? `${pending.key.key_alias ?? pending.key.key_name} stops working at once and cannot be restored.`
              : `${pending.key.key_alias ?? pending.key.key_name} gets a new secret; the old one stops working at once.`
          }
          confirmLabel={pending.kind === "delete" ? "Delete" : "Regenerate"}
          danger={pending.kind === "delete"}
          onConfirm={confirmPending}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}
