/**
 * The API reference page: Swagger UI (bundled, see swagger-ui-assets.ts) rendering /openapi.json, so the page never
 * drifts from the spec. The CSP keeps every request on this origin: nothing from a CDN, nothing phoned home.
 * Every URL the page uses is relative to `/docs` (`docs/...`, `openapi.json`), so it keeps working behind a reverse
 * proxy that mounts the gateway under a path (`https://corp.example.com/gw/docs`).
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

export function renderDocs(info: { title: string; version: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(info.title)} ${escape(info.version)}: API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<noscript>This page needs JavaScript; the spec itself is at <a href="openapi.json">openapi.json</a>.</noscript>
<div id="api-reference"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;
}

/** Runs in the browser. validatorUrl: null stops Swagger UI from sending the spec to its online validator. */
export const DOCS_INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: "openapi.json", // relative to the page, like its other URLs
  dom_id: "#api-reference",
  validatorUrl: null,
  deepLinking: true,
  docExpansion: "list",
  filter: true,
  tryItOutEnabled: false,
});
`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
