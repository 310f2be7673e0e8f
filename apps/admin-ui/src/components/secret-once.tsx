import { useState } from "preact/hooks";

/** A secret shown once, with a copy button; closing it forgets it (the page keeps no copy). */
export function SecretOnce(props: { title: string; secrets: Array<{ id: string; label: string; value: string }>; onClose(): void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (label: string, value: string) => {
    await navigator.clipboard.writeText(value);
    setCopied(label);
  };
  return (
    <section class="panel secret" aria-labelledby="secret-title" role="region">
      <h2 id="secret-title">{props.title}</h2>
      <p class="warn">Copy it now: it is shown only once and cannot be shown again.</p>
      {props.secrets.map((s) => (
        <div class="secret-row" key={s.id}>
          <span class="secret-label">{s.label}</span>
          <code data-testid={`secret-${s.id}`}>{s.value}</code>
          <button type="button" onClick={() => copy(s.label, s.value)} aria-label={`Copy ${s.label}`}>
            {copied === s.label ? "Copied" : "Copy"}
          </button>
        </div>
      ))}
      <button type="button" class="primary" onClick={props.onClose}>I have copied it</button>
    </section>
  );
}
