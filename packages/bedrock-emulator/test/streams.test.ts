import { ConverseCommand, ConverseStreamCommand, ModelStreamErrorException } from "@aws-sdk/client-bedrock-runtime";
import { InvokeAgentCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import type { DocumentType } from "@smithy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/index.ts";
import { agentClient, converseBody, runtimeClient, signRequest } from "./helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.options.now = undefined;
  emu.options.firstByteDelayMs = undefined;
});

const messages = [{ role: "user" as const, content: [{ text: "hi" }] }];
const streamInput = (emulator: Record<string, DocumentType>) => ({ modelId: "m", messages, additionalModelRequestFields: { emulator } });

describe("streaming", () => {
  test("events arrive as they are produced (first long before last)", async () => {
    const started = performance.now();
    const out = await runtimeClient(emu.url).send(new ConverseStreamCommand(streamInput({ eventDelayMs: 60 })));
    const arrivals: number[] = [];
    for await (const _ of out.stream!) arrivals.push(performance.now() - started);
    expect(arrivals).toHaveLength(9);
    // 8 gaps of 60 ms: a buffered response would deliver everything at once, so the spread would be ~0.
    // (No absolute bound on the first arrival: connection setup on a loaded machine varies.)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(400);
  });

  test("events control sets the number of delta events", async () => {
    const out = await runtimeClient(emu.url).send(new ConverseStreamCommand(streamInput({ events: 2, replyWords: 6 })));
    const deltas: string[] = [];
    for await (const ev of out.stream!) if (ev.contentBlockDelta) deltas.push(ev.contentBlockDelta.delta!.text!);
    expect(deltas).toHaveLength(2);
    expect(deltas.join("").split(" ")).toHaveLength(6);
  });

  test("failAfterEvents: typed exception after the events already delivered", async () => {
    const out = await runtimeClient(emu.url).send(new ConverseStreamCommand(streamInput({ failAfterEvents: 3 })));
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const ev of out.stream!) seen.push(Object.keys(ev)[0]!);
    } catch (err) {
      error = err;
    }
    expect(seen).toEqual(["messageStart", "contentBlockDelta", "contentBlockDelta"]);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
  });

  test("failAfterEvents on InvokeAgent raises internalServerException", async () => {
    const out = await agentClient(emu.url).send(
      new InvokeAgentCommand({ agentId: "A", agentAliasId: "B", sessionId: "s", inputText: "hi", sessionState: { sessionAttributes: { emulator: '{"failAfterEvents":1}' } } }),
    );
    let chunks = 0;
    await expect(
      (async () => {
        for await (const ev of out.completion!) if (ev.chunk) chunks++;
      })(),
    ).rejects.toMatchObject({ name: "InternalServerException" });
    expect(chunks).toBe(1);
  });

  test("cutAfterEvents: the stream breaks without a terminating frame", async () => {
    const seen: string[] = [];
    let error: unknown;
    try {
      // A small delay so headers and the first frames reach the client before the connection drops.
      const out = await runtimeClient(emu.url).send(new ConverseStreamCommand(streamInput({ cutAfterEvents: 2, eventDelayMs: 30 })));
      for await (const ev of out.stream!) seen.push(Object.keys(ev)[0]!);
    } catch (err) {
      error = err;
    }
    expect(seen).toEqual(["messageStart", "contentBlockDelta"]);
    expect(error).toBeDefined();
    expect(String((error as Error).message)).toMatch(/ECONNRESET|aborted|terminated|socket/i);
  });

  test("client abort stops the generator (no further frames produced)", async () => {
    const r = await signRequest(emu.url, { path: "/model/m/converse-stream", body: converseBody("x", { eventDelayMs: 50, replyWords: 100 }) });
    const ac = new AbortController();
    const res = await fetch(r.url, { method: "POST", headers: r.headers, body: r.body, signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await expect(reader.read()).rejects.toBeDefined();
    // The server must still answer promptly afterwards (nothing stuck producing 100 frames).
    const ok = await runtimeClient(emu.url).send(new ConverseCommand({ modelId: "m", messages }));
    expect(ok.$metadata.httpStatusCode).toBe(200);
  });

  test("firstByteDelayMs: option and per-request control", async () => {
    emu.options.firstByteDelayMs = 150;
    let t = performance.now();
    await runtimeClient(emu.url).send(new ConverseCommand({ modelId: "m", messages }));
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    emu.options.firstByteDelayMs = undefined;
    t = performance.now();
    await runtimeClient(emu.url).send(new ConverseCommand(streamInput({ firstByteDelayMs: 120 })));
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
  });
});

describe("clock skew", () => {
  test("skewed server clock: rejected without retries, SDK corrects itself from the Date header with retries", async () => {
    emu.options.now = () => Date.now() + 20 * 60_000;
    await expect(runtimeClient(emu.url).send(new ConverseCommand({ modelId: "m", messages }))).rejects.toMatchObject({
      name: "InvalidSignatureException",
      message: expect.stringMatching(/^Signature expired/),
    });
    const retrying = runtimeClient(emu.url, { maxAttempts: 3 });
    const out = await retrying.send(new ConverseCommand({ modelId: "m", messages }));
    expect(out.$metadata.attempts).toBe(2);
  });
});
