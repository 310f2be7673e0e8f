import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import http2 from "node:http2";
import { BedrockRuntimeClient, InvokeModelWithBidirectionalStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { readFrames } from "@bedrock-gateway/protocol";
import { eventChainSigner, STREAMING_EVENTS_PAYLOAD } from "@bedrock-gateway/sigv4";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { startEmulator, type RunningEmulator } from "../src/index.ts";
import { INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN, SPEECH_TOKENS_PER_REPLY_WORD } from "../src/ops/runtime/bidirectional-stream.ts";
import { creds, signRequest } from "./helpers.ts";

const NOVA_SONIC = "amazon.nova-sonic-v1:0";
const path = `/model/${encodeURIComponent(NOVA_SONIC)}/invoke-with-bidirectional-stream`;
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const encoder = new TextEncoder();
const sonic = (event: object) => encoder.encode(JSON.stringify({ event }));
/** One input event as the SDK serialises it before signing: a `chunk` message whose `bytes` are base64. */
const chunkMessage = (event: object) =>
  codec.encode({
    headers: { ":event-type": { type: "string", value: "chunk" }, ":message-type": { type: "string", value: "event" }, ":content-type": { type: "string", value: "application/json" } },
    body: fromUtf8(JSON.stringify({ bytes: Buffer.from(sonic(event)).toString("base64") })),
  });
const audio = (bytes: number) => Buffer.alloc(bytes).toString("base64");

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => emu.reset());

describe("InvokeModelWithBidirectionalStream over HTTP/2 (h2c)", () => {
  test("the SDK's default HTTP/2 handler: output interleaves with input, usage in usageEvent, the chain verified event by event", async () => {
    const client = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emu.url, credentials: creds, maxAttempts: 1 });
    expect(client.config.requestHandler.metadata?.handlerProtocol).toBe("h2");
    let turnDone: () => void = () => {};
    const log: string[] = [];
    async function* input() {
      const events = [
        { sessionStart: { inferenceConfiguration: { maxTokens: 1024 } } },
        { promptStart: { promptName: "p" } },
        { contentStart: { promptName: "p", contentName: "system", type: "TEXT", role: "SYSTEM" } },
        { textInput: { promptName: "p", contentName: "system", content: "You are a friendly assistant" } },
        { contentEnd: { promptName: "p", contentName: "system" } },
        { contentStart: { promptName: "p", contentName: "turn1", type: "AUDIO", role: "USER" } },
        { audioInput: { promptName: "p", contentName: "turn1", content: audio(3200) } },
        { audioInput: { promptName: "p", contentName: "turn1", content: audio(3200) } },
      ];
      for (const event of events) yield { chunk: { bytes: sonic(event) } };
      const turn = new Promise<void>((resolve) => (turnDone = resolve));
      log.push("in: end of turn 1");
      yield { chunk: { bytes: sonic({ contentEnd: { promptName: "p", contentName: "turn1" } }) } };
      // The next input waits for the answer to the last: only a full-duplex exchange gets past here.
      await turn;
      log.push("in: turn 2");
      for (const event of [
        { contentStart: { promptName: "p", contentName: "turn2", type: "TEXT", role: "USER" } },
        { textInput: { promptName: "p", contentName: "turn2", content: "and what about tomorrow" } },
        { contentEnd: { promptName: "p", contentName: "turn2" } },
      ])
        yield { chunk: { bytes: sonic(event) } };
      await new Promise<void>((resolve) => (turnDone = resolve));
      log.push("in: end");
      for (const event of [{ promptEnd: { promptName: "p" } }, { sessionEnd: {} }]) yield { chunk: { bytes: sonic(event) } };
    }
    const response = await client.send(new InvokeModelWithBidirectionalStreamCommand({ modelId: NOVA_SONIC, body: input() }));
    const usageEvents: any[] = [];
    for await (const part of response.body!) {
      const event = JSON.parse(toUtf8(part.chunk!.bytes!)).event;
      const name = Object.keys(event)[0]!;
      log.push(`out: ${name}`);
      if (name === "usageEvent") {
        usageEvents.push(event.usageEvent);
        turnDone();
      }
    }
    // Turn 1's answer (with its ASR transcript) came before turn 2 was sent, turn 2's before the end.
    expect(log.indexOf("out: completionStart")).toBeGreaterThan(log.indexOf("in: end of turn 1"));
    expect(log.indexOf("in: turn 2")).toBeGreaterThan(log.indexOf("out: usageEvent"));
    expect(log.lastIndexOf("out: usageEvent")).toBeLessThan(log.indexOf("in: end"));
    expect(log.at(-1)).toBe("out: completionEnd");
    const speechIn = (2 * 3200) / INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN;
    const spoken = 5 * SPEECH_TOKENS_PER_REPLY_WORD;
    expect(usageEvents[0].details.delta).toEqual({ input: { speechTokens: speechIn, textTokens: 5 }, output: { speechTokens: spoken, textTokens: 5 } });
    const total = { input: { speechTokens: speechIn, textTokens: 5 + 4 }, output: { speechTokens: 2 * spoken, textTokens: 10 } };
    expect(usageEvents[1].details.total).toEqual(total);
    expect(usageEvents[1].totalTokens).toBe(speechIn + 9 + 2 * spoken + 10);
    expect(emu.requests).toHaveLength(1);
    expect(emu.requests[0]).toMatchObject({ operation: "InvokeModelWithBidirectionalStream", verified: true, session: { inputEvents: 14, usage: total } });
    expect(emu.requests[0]!.error).toBeUndefined();
    expect(emu.streams).toEqual({ started: 1, completed: 1, cancelled: 0 });
  });

  test("a good chain passes; a tampered link is refused with an InvalidSignatureException error message, and nothing after it is read", async () => {
    const good = await rawSession((signer, index, event) => signer.sign(event));
    expect(good.messages.map((m) => m.headers[":message-type"]?.value)).not.toContain("error");
    expect(emu.requests[0]!.session!.inputEvents).toBe(3);

    emu.reset();
    // The second event is signed as the first link of the chain again: its signature is not the next link.
    const forged = await rawSession(async (signer, index, event, seed) => (index === 1 ? eventChainSigner({ credentials: creds, region: "us-east-1", seedSignature: seed }).sign(event) : signer.sign(event)));
    const error = forged.messages.at(-1)!;
    expect(error.headers[":message-type"]?.value).toBe("error");
    expect(error.headers[":error-code"]?.value).toBe("InvalidSignatureException");
    expect(String(error.headers[":error-message"]?.value)).toMatch(/signature of event 2 does not match/);
    expect(emu.requests[0]!.session!.inputEvents).toBe(1);
    expect(emu.requests[0]!.error).toMatch(/InvalidSignatureException/);
  });

  test("a request signature made with another secret is refused with 403 before any event is read", async () => {
    const signed = await signRequest(emu.url, { path, headers: { "content-type": "application/vnd.amazon.eventstream", "x-amz-content-sha256": STREAMING_EVENTS_PAYLOAD }, secretAccessKey: "wrong" });
    const session = http2.connect(emu.url);
    try {
      const { host: _host, ...headers } = signed.headers;
      const stream = session.request({ ":method": "POST", ":path": path, ...headers });
      const status = await new Promise<number>((resolve) => stream.once("response", (h) => resolve(Number(h[":status"]))));
      stream.close();
      expect(status).toBe(403);
      expect(emu.requests[0]!.error).toMatch(/^InvalidSignatureException/);
      expect(emu.requests[0]!.session).toBeUndefined();
    } finally {
      session.close();
    }
  });
});

/**
 * A session over a raw HTTP/2 stream, signed like the SDK signs it: sessionStart, promptStart, sessionEnd and the
 * empty end-of-input frame, each wrapped by `sign` (the chain signer, or a forgery). Returns the output messages.
 */
async function rawSession(sign: (signer: ReturnType<typeof eventChainSigner>, index: number, event: Uint8Array, seed: string) => Promise<Uint8Array>) {
  const signed = await signRequest(emu.url, { path, headers: { "content-type": "application/vnd.amazon.eventstream", "x-amz-content-sha256": STREAMING_EVENTS_PAYLOAD } });
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization!)![1]!;
  const signer = eventChainSigner({ credentials: creds, region: "us-east-1", seedSignature: seed });
  const session = http2.connect(emu.url);
  try {
    const { host: _host, ...headers } = signed.headers;
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    const events = [chunkMessage({ sessionStart: {} }), chunkMessage({ promptStart: { promptName: "p" } }), chunkMessage({ sessionEnd: {} }), new Uint8Array(0)];
    for (const [index, event] of events.entries()) stream.write(await sign(signer, index, event, seed));
    stream.end();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stream.on("data", (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
        stream.on("end", () => controller.close());
        stream.on("error", (error) => controller.error(error));
      },
    });
    const messages = [];
    for await (const frame of readFrames(body)) messages.push(codec.decode(frame));
    return { messages };
  } finally {
    session.close();
  }
}
