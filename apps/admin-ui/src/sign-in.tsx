import { useRef, useState } from "preact/hooks";
import type { UiSession } from "@bedrock-gateway/api-types";
import { errorText, session } from "./api.ts";

/**
 * The master key is read from the field, sent once to /ui/session, and the field is cleared: the page keeps only
 * the CSRF token; the session itself is an HttpOnly cookie the page cannot read.
 */
export function SignIn(props: { onSignedIn(s: UiSession): void; notice?: string | null }) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const key = input.current?.value ?? "";
    if (input.current) input.current.value = "";
    setBusy(true);
    const { data, error } = await session.POST("/ui/session", { body: { master_key: key } });
    setBusy(false);
    if (data) props.onSignedIn(data);
    else setError(errorText(error, "Sign-in failed."));
  };
  return (
    <main class="sign-in">
      <form class="panel" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Bedrock Gateway</h1>
        <p>Sign in with the gateway's master key.</p>
        {props.notice && <p class="muted" role="status">{props.notice}</p>}
        <label class="field">
          <span>Master key</span>
          <input ref={input} type="password" name="master_key" autocomplete="off" required />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
