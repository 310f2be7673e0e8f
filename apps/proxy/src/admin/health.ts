import type { Liveliness, Readiness } from "@bedrock-gateway/api-types";
import { Elysia } from "elysia";
import { errorMessage } from "../error-message.ts";

/**
 * A dependency the gateway needs: resolves ("ok", or "degraded: ..." while it still serves without it),
 * throws with the reason when the gateway cannot serve.
 */
export type ReadinessCheck = () => Promise<string | void>;

/** The spec's Readiness names credentials and storage; other dependencies (redis, spend_queue) come on top. */
export type ReadinessChecks = { credentials: ReadinessCheck; storage: ReadinessCheck } & Record<string, ReadinessCheck>;

/** Liveness and readiness probes: no key needed (load balancers and orchestrators call them). */
export function healthRoutes(checks: ReadinessChecks) {
  return new Elysia()
    .get("/health/liveliness", () => ({ status: "ok" }) satisfies Liveliness)
    .get("/health/liveness", () => ({ status: "ok" }) satisfies Liveliness)
    .get("/health/readiness", async ({ set }) => {
      const run = async (check: ReadinessCheck): Promise<{ ok: boolean; health: string }> => {
        try {
          return { ok: true, health: (await check()) || "ok" };
        } catch (error) {
          return { ok: false, health: "error: " + errorMessage(error) };
        }
      };
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => run(checks[name]!)));
      const health = Object.fromEntries(names.map((name, i) => [name, results[i]!.health]));
      const ready = results.every((r) => r.ok);
      const degraded = results.some((r) => r.health.startsWith("degraded"));
      set.status = ready ? 200 : 503;
      return {
        ...health,
        status: ready ? (degraded ? "degraded" : "ok") : "unavailable",
        credentials: health.credentials!,
        storage: health.storage!,
      } satisfies Readiness;
    });
}
