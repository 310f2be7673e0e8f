import { Elysia } from "elysia";
import { errorMessage } from "../error-message.ts";

/**
 * A dependency the gateway needs: resolves ("ok", or "degraded: ..." while it still serves without it),
 * throws with the reason when the gateway cannot serve.
 */
export type ReadinessCheck = () => Promise<string | void>;

export function healthRoutes(checks: Record<string, ReadinessCheck>) {
  return new Elysia()
    .get("/health/liveliness", () => ({ status: "ok" }))
    .get("/health/liveness", () => ({ status: "ok" }))
    .get("/health/readiness", async ({ set }) => {
      const results: Record<string, string> = {};
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
      return { status: ready ? (degraded ? "degraded" : "ok") : "unavailable", ...results };
    });
}
