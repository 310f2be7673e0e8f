import type { Liveliness, Readiness } from "@bedrock-gateway/api-types";
import { Elysia } from "elysia";
import { errorMessage } from "../error-message.ts";

/**
 * A dependency the gateway needs: resolves ("ok", or "degraded: ..." while it still serves without it),
 * throws with the reason when the gateway cannot serve.
 */
export type ReadinessCheck = () => Promise<string | void>;

export function healthRoutes(checks: Record<string, ReadinessCheck>) {
  return new Elysia()
    .get("/health/liveliness", () => ({ status: "ok" }) satisfies Liveliness)
    .get("/health/liveness", () => ({ status: "ok" }) satisfies Liveliness)
    .get("/health/readiness", async ({ set }) => {
      const results: Record<string, Readiness["credentials"]> = {};
      let ready = true;
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            results[name] = (await check()) || "ok";
          } catch (error) {
            ready = false;
            results[name] = "error: " + errorMessage(error);
          }
        }),
      );
      set.status = ready ? 200 : 503;
      const degraded = Object.values(results).some((r) => r.startsWith("degraded"));
      const status: Readiness["status"] = ready ? (degraded ? "degraded" : "ok") : "unavailable";
      return { status, ...results };
    });
}
