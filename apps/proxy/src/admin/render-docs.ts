/**
 * A readable API page rendered from the spec itself, with no CDN script: gateways often run where
 * browsers cannot reach the internet, and the page must never drift from /openapi.json.
 */
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  "x-bedrock-service"?: string;
  "x-bedrock-streaming"?: boolean;
  "x-bedrock-usage"?: string;
}
interface Spec {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const methods = ["get", "post", "put", "patch", "delete"];

export function renderDocs(spec: Spec): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      const badges = [op["x-bedrock-service"], op["x-bedrock-streaming"] ? "event stream" : null, op["x-bedrock-usage"] && op["x-bedrock-usage"] !== "none" ? `usage: ${op["x-bedrock-usage"]}` : null]
        .filter(Boolean)
        .map((b) => `<span class="badge">${escape(String(b))}</span>`)
        .join(" ");
      rows.push(
        `<tr><td class="m ${method}">${method.toUpperCase()}</td><td><code>${escape(path)}</code></td>` +
          `<td><b>${escape(op.operationId ?? "")}</b> ${badges}<div>${escape(op.summary ?? op.description?.split("\n")[0] ?? "")}</div></td></tr>`,
      );
    }
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(spec.info.title)} API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}td{padding:.3rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
.m{font-weight:bold;font-family:monospace}.get{color:#1a7f37}.post{color:#0969da}.delete{color:#cf222e}.put,.patch{color:#9a6700}
.badge{background:#eef;border-radius:4px;padding:0 .3rem;font-size:12px}pre{white-space:pre-wrap}</style></head><body>
<h1>${escape(spec.info.title)} <small>${escape(spec.info.version)}</small></h1>
<pre>${escape(spec.info.description ?? "")}</pre>
<p>Machine-readable spec: <a href="/openapi.json">/openapi.json</a></p>
<table>${rows.join("\n")}</table></body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
