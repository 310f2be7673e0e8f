import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "@bedrock-gateway/bedrock-emulator";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/compose/app.ts";
import type { CallStep } from "../src/pipeline/step.ts";
import { readConfig } from "../src/config.ts";
import { StoreUnavailableError } from "../src/keys/key-cache.ts";

// Bedrock calls skip the router; what a step throws must still come back AWS-shaped, and other paths stay JSON.
function appThrowing(error: Error) {
  const throwing: CallStep = {
    name: "throwing",
    admit: () => {
      throw error;
    },
  };
  return createApp({
    config: readConfig({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" }),
    credentials: async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }),
    steps: { admit: [throwing] },
    readiness: { credentials: async () => "ok", storage: async () => "ok" },
  });
}

const converse = (origin = "http://localhost") => new Request(`${origin}/bedrock/model/m/converse?x=1`, { method: "POST", body: "{}" });

describe("the gateway's request dispatch", () => {
  it("a storage outage inside a Bedrock call is a 503 ServiceUnavailableException", async () => {
    const response = await appThrowing(new StoreUnavailableError("the key store is unreachable (connect ECONNREFUSED 10.0.0.5:5432)")).fetch(converse());
    expect(response.status).toBe(503);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceUnavailableException");
    // A fixed message: the driver's text names the database's address.
    expect(await response.json()).toEqual({ message: "The gateway's storage is temporarily unavailable. Retry the request shortly." });
    const driverError = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });
    const raw = await appThrowing(driverError).fetch(converse());
    expect(raw.status).toBe(503);
    expect(JSON.stringify(await raw.json())).not.toContain("10.0.0.5");
  });

  it("any other failure inside a Bedrock call is a 500 InternalServerException", async () => {
    const response = await appThrowing(new Error("boom")).fetch(converse("http://gateway.internal:8080"));
    expect(response.status).toBe(500);
    expect(response.headers.get("x-amzn-errortype")).toBe("InternalServerException");
    expect(await response.json()).toEqual({ message: "The gateway failed to handle the request. Its operator can find the cause in the gateway's log." });
  });

  it("paths that only look like Bedrock's go to the router: JSON 404, no AWS error type", async () => {
    const app = appThrowing(new Error("never reached"));
    for (const path of ["/bedrock", "/bedrockx/model/m/converse", "/x/bedrock/model/m/converse"]) {
      const response = await app.fetch(new Request(`http://localhost${path}`, { method: "POST", body: "{}" }));
      expect(response.status, path).toBe(404);
      expect(response.headers.get("x-amzn-errortype"), path).toBeNull();
      expect((await response.json()) as { message: string }, path).toHaveProperty("message");
    }
  });

  it("health answers through the router", async () => {
    const response = await appThrowing(new Error("never reached")).fetch(new Request("http://localhost/health/liveliness"));
    expect(response.status).toBe(200);
  });
});
