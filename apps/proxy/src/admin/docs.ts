import { Elysia } from "elysia";
import spec from "@bedrock-gateway/api-types/openapi.json" with { type: "json" };
import { renderDocs } from "./render-docs.ts";

/** The spec the gateway is built from, and a page to read it. */
export function docsRoutes() {
  const json = JSON.stringify(spec);
  const html = renderDocs(spec as Parameters<typeof renderDocs>[0]);
  return new Elysia()
    .get("/openapi.json", () => new Response(json, { headers: { "content-type": "application/json" } }))
    .get("/docs", () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }));
}
