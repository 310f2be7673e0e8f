import { useState } from "preact/hooks";
import type { GenerateKeyRequest, KeyInfo } from "@bedrock-gateway/api-types";

/** Every /key/generate field, as typed text; turned into the request body on submit. */
interface Draft {
  key_alias: string;
  user_id: string;
  team_id: string;
  models: string;
  allowed_routes: string;
  allowed_regions: string;
  max_budget: string;
  budget_duration: string;
  rpm_limit: string;
  tpm_limit: string;
  duration: string;
  expires: string;
  metadata: string;
  aws_credentials: boolean;
}

function draftOf(key?: KeyInfo): Draft {
  return {
    key_alias: key?.key_alias ?? "",
    user_id: key?.user_id ?? "",
    team_id: key?.team_id ?? "",
    models: (key?.models ?? []).join(", "),
    allowed_routes: (key?.allowed_routes ?? []).join(", "),
    allowed_regions: (key?.allowed_regions ?? []).join(", "),
    max_budget: key?.max_budget?.toString() ?? "",
    budget_duration: key?.budget_duration ?? "",
    rpm_limit: key?.rpm_limit?.toString() ?? "",
    tpm_limit: key?.tpm_limit?.toString() ?? "",
    duration: "",
    expires: key?.expires ?? "",
    metadata: key && Object.keys(key.metadata ?? {}).length ? JSON.stringify(key.metadata, null, 2) : "",
    aws_credentials: false,
  };
}

const list = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const num = (s: string) => (s.trim() === "" ? null : Number(s));

/** The body for /key/generate or /key/update: empty text means "none" (null) when editing, absent when creating. */
function bodyOf(d: Draft, editing: boolean): GenerateKeyRequest {
  const text = (s: string) => (s.trim() === "" ? (editing ? null : undefined) : s.trim());
  const body: GenerateKeyRequest = {
    key_alias: text(d.key_alias),
    user_id: text(d.user_id),
    team_id: text(d.team_id),
    models: list(d.models),
    allowed_routes: list(d.allowed_routes),
    allowed_regions: list(d.allowed_regions),
    max_budget: num(d.max_budget),
    budget_duration: text(d.budget_duration) ?? null,
    rpm_limit: num(d.rpm_limit),
    tpm_limit: num(d.tpm_limit),
  };
  if (d.duration.trim()) body.duration = d.duration.trim();
  else if (d.expires.trim()) body.expires = d.expires.trim();
  else if (editing) body.expires = null;
  if (d.metadata.trim()) body.metadata = JSON.parse(d.metadata) as Record<string, unknown>;
  if (!editing && d.aws_credentials) body.aws_credentials = true;
  for (const k of Object.keys(body) as Array<keyof GenerateKeyRequest>) if (body[k] === undefined) delete body[k];
  return body;
}

export function KeyForm(props: { editing?: KeyInfo; busy: boolean; error: string | null; onSubmit(body: GenerateKeyRequest): void; onCancel(): void }) {
  const editing = props.editing !== undefined;
  const [d, setD] = useState<Draft>(() => draftOf(props.editing));
  const [localError, setLocalError] = useState<string | null>(null);
  const field = (name: keyof Draft, label: string, hint?: string, type = "text") => (
    <label class="field">
      <span>{label}</span>
      <input
        name={name}
        type={type}
        value={d[name] as string}
        onInput={(e) => setD({ ...d, [name]: (e.target as HTMLInputElement).value })}
        aria-describedby={hint ? `${name}-hint` : undefined}
      />
      {hint && <small id={`${name}-hint`}>{hint}</small>}
    </label>
  );
  const submit = (e: Event) => {
    e.preventDefault();
    try {
      setLocalError(null);
      props.onSubmit(bodyOf(d, editing));
    } catch {
      setLocalError("Metadata must be a JSON object.");
    }
  };
  const titleId = editing ? "edit-key-title" : "create-key-title";
  return (
    <form class="panel key-form" onSubmit={submit} aria-labelledby={titleId}>
      <h2 id={titleId}>{editing ? `Edit ${props.editing!.key_alias ?? props.editing!.key_name}` : "Create a key"}</h2>
      <div class="grid">
        {field("key_alias", "Alias", "Unique, human-readable name")}
        {field("user_id", "User")}
        {field("team_id", "Team")}
        {field("models", "Models", "Comma-separated ids, * wildcards or ARNs; empty: all")}
        {field("allowed_routes", "Allowed routes", "runtime, agent-runtime, inference, guardrails, … or operation ids; empty: all")}
        {field("allowed_regions", "Allowed regions", "Data residency: comma-separated AWS regions, e.g. eu-west-1, eu-central-1; empty: any")}
        {field("max_budget", "Max budget (USD)", "Empty: unlimited", "number")}
        {field("budget_duration", "Budget period", "30s, 15m, 24h, 30d; empty: never resets")}
        {field("rpm_limit", "Requests per minute", undefined, "number")}
        {field("tpm_limit", "Tokens per minute", undefined, "number")}
        {field("duration", "Lifetime", "e.g. 90d from now; wins over Expires")}
        {field("expires", "Expires at", "ISO date-time; empty: never")}
      </div>
      <label class="field wide">
        <span>Metadata (JSON)</span>
        <textarea name="metadata" rows={3} value={d.metadata} onInput={(e) => setD({ ...d, metadata: (e.target as HTMLTextAreaElement).value })} />
      </label>
      {!editing && (
        <label class="check">
          <input type="checkbox" name="aws_credentials" checked={d.aws_credentials} onChange={(e) => setD({ ...d, aws_credentials: (e.target as HTMLInputElement).checked })} />
          <span>Also issue an AWS access key pair (for unmodified SigV4 clients)</span>
        </label>
      )}
      {(localError ?? props.error) && <p class="error" role="alert">{localError ?? props.error}</p>}
      <div class="row end">
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="submit" class="primary" disabled={props.busy}>{editing ? "Save changes" : "Create key"}</button>
      </div>
    </form>
  );
}
