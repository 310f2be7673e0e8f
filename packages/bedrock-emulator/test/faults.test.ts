import { ConverseCommand, ConverseStreamCommand, ThrottlingException } from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { FAULTS_PATH, startEmulator, type RunningEmulator } from "../src/index.ts";
import { BedrockClient, GetInferenceProfileCommand } from "@aws-sdk/client-bedrock";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { creds, runtimeClient } from "./helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, faults: [{ model: "start.*", error: "ServiceUnavailableException", times: 1 }] });
});
afterAll(() => emu.close());

const messages = [{ role: "user" as const, content: [{ text: "hi" }] }];
const converse = (modelId: string, region = "us-east-1") => runtimeClient(emu.url, { region }).send(new ConverseCommand({ modelId, messages }));
const outcome = (p: Promise<unknown>) => p.then(() => "ok", (e: Error) => e.name);

describe("fault rules", () => {
  test("start options: a rule given at start applies, `times` ends it", async () => {
    expect(await outcome(converse("start.model"))).toBe("ServiceUnavailableException");
    expect(await outcome(converse("start.model"))).toBe("ok");
  });

  describe("by region, model and count", () => {
    beforeEach(() => emu.reset());

    test("throttle one region's model after N calls, leave the others alone", async () => {
      emu.faults.set([{ region: "us-east-1", model: "anthropic.*", afterCalls: 1, error: "ThrottlingException" }]);
      expect(await outcome(converse("anthropic.claude-v2"))).toBe("ok");
      await expect(converse("anthropic.claude-v2")).rejects.toBeInstanceOf(ThrottlingException);
      expect(await outcome(converse("anthropic.claude-v2", "us-west-2"))).toBe("ok");
      expect(await outcome(converse("amazon.nova-lite-v1:0"))).toBe("ok");
      expect(emu.faults.list()[0]).toMatchObject({ seen: 2, failed: 1 });
    });

    test("control-plane reads fail only by a rule naming their operation", async () => {
      const profile = () => outcome(new BedrockClient({ region: "us-east-1", endpoint: emu.url, credentials: creds, requestHandler: new NodeHttpHandler(), maxAttempts: 1 }).send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "emulator-haiku" })));
      emu.faults.set([{ error: "ServiceUnavailableException" }]);
      expect(await profile()).toBe("ok");
      expect(await outcome(converse("m"))).toBe("ServiceUnavailableException");
      emu.faults.set([{ operation: "GetInference*", error: "ThrottlingException", times: 1 }]);
      expect(await profile()).toBe("ThrottlingException");
      expect(await profile()).toBe("ok");
      expect(await outcome(converse("m"))).toBe("ok");
      emu.faults.set([{ operation: "Converse", error: "InternalServerException" }]);
      expect(await outcome(converse("m"))).toBe("InternalServerException");
      expect(await outcome(runtimeClient(emu.url).send(new ConverseStreamCommand({ modelId: "m", messages })))).toBe("ok");
    });

    test("fail a stream after its first frames with a typed exception frame", async () => {
      emu.faults.set([{ error: "ThrottlingException", afterEvents: 1 }]);
      const out = await runtimeClient(emu.url).send(new ConverseStreamCommand({ modelId: "m", messages }));
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const event of out.stream!) seen.push(Object.keys(event)[0]!);
        })(),
      ).rejects.toBeInstanceOf(ThrottlingException);
      expect(seen).toEqual(["messageStart"]);
    });

    test("the control endpoint sets, lists and clears rules, and refuses a bad one", async () => {
      const put = await fetch(emu.url + FAULTS_PATH, { method: "PUT", body: JSON.stringify({ rules: [{ model: "m", error: "ModelNotReadyException", times: 1 }] }) });
      expect(put.status).toBe(200);
      expect(await outcome(converse("m"))).toBe("ModelNotReadyException");
      expect(((await (await fetch(emu.url + FAULTS_PATH)).json()) as any).rules).toEqual([{ model: "m", error: "ModelNotReadyException", times: 1, seen: 1, failed: 1 }]);
      const bad = await fetch(emu.url + FAULTS_PATH, { method: "POST", body: JSON.stringify([{ error: "Nope" }]) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as any).message).toContain("error must be one of");
      expect((await fetch(emu.url + FAULTS_PATH, { method: "DELETE" })).status).toBe(200);
      expect(emu.faults.list()).toEqual([]);
    });
  });
});
