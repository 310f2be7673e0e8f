import { Elysia } from "elysia";
import spec from "@bedrock-gateway/api-types/openapi.json" with { type: "json" };
import { DOCS_CSP, DOCS_INIT_SCRIPT, renderDocs } from "./render-docs.ts";
import { swaggerUiAsset, swaggerUiAssets, type SwaggerUiAsset } from "./swagger-ui-assets.ts";

/** The spec the gateway is built from, and a page to read it. */
export function docsRoutes() {
  const json = JSON.stringify(spec);
  const html = renderDocs(spec.info);
  const page = (body: string, type: string, extra: Record<string, string> = {}) =>
    new Response(body, { headers: { "content-type": type, "x-content-type-options": "nosniff", ...extra } });
  const app = new Elysia()
    .get("/openapi.json", () => new Response(json, { headers: { "content-type": "application/json" } }))
    // The page's URLs are relative to `/docs`; at `/docs/` they would miss, so that is sent to `../docs` (relative
    // too: behind a proxy's path prefix it stays under the prefix).
    .get("/docs", ({ request }) =>
      new URL(request.url).pathname.endsWith("/")
        ? new Response(null, { status: 308, headers: { location: "../docs" } })
        : page(html, "text/html; charset=utf-8", { "content-security-policy": DOCS_CSP }),
    )
    .get("/docs/init.js", () => page(DOCS_INIT_SCRIPT, "application/javascript; charset=utf-8"));
  for (const [name, type] of Object.entries(swaggerUiAssets)) {
    app.get(`/docs/${name}`, async () => page(await swaggerUiAsset(name as SwaggerUiAsset), type, { "cache-control": "public, max-age=86400" }));
  }
  return app;
}
