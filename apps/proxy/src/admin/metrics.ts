import { Elysia } from "elysia";
import { extractKey } from "../auth/extract-key.ts";
import { secretMatcher } from "../auth/timing-safe.ts";
import { adminErrorResponse } from "./errors.ts";
import type { Registry } from "../metrics/registry.ts";

/** `GET /metrics` in Prometheus text format; with `requireAuth` only the master key may scrape. */
export function metricsRoutes(options: { registry: Registry; requireAuth: boolean; masterKey: string | null }) {
  const { registry, requireAuth, masterKey } = options;
  const isMaster = masterKey ? secretMatcher(masterKey) : () => false;
  return new Elysia().get("/metrics", ({ request }) => {
    if (requireAuth) {
      const key = extractKey(request.headers);
      if (!key || !isMaster(key)) return adminErrorResponse(401, "METRICS_REQUIRE_AUTH is on: send Authorization: Bearer <master key>.");
    }
    return new Response(registry.render(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
  });
}

export type MetricsRoutes = ReturnType<typeof metricsRoutes>;
