import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import http2 from "node:http2";
import path from "node:path";
import { promisify } from "node:util";
import { Sha256 } from "@aws-crypto/sha256-js";
import { INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN, SPEECH_TOKENS_PER_REPLY_WORD, startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { readFrames } from "@bedrock-gateway/protocol";
import { eventChainSigner, STREAMING_EVENTS_PAYLOAD } from "@bedrock-gateway/sigv4";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Message } from "@smithy/types";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { realNode } from "../../../../packages/client/test/real-node.ts";
import { emulatorEnv } from "../support/fixture.ts";
import { proxyRuntime, startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { removeScratchDirs, scratchDir } from "../support/scratch-dir.ts";

const MASTER = "sk-master-bidirectional";
const SONIC = "amazon.nova-sonic-v1:0";
const LITE = "amazon.nova-lite-v1:0";
const BIDI_PATH = `/bedrock/model/${encodeURIComponent(SONIC)}/invoke-with-bidirectional-stream`;
const fixture = path.resolve(import.meta.dirname, "../fixtures/h2-bidirectional.mjs");
const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** Nova Sonic prices (genai-prices), USD per million tokens: text in/out, speech in/out. */
const PRICE = { text: [0.06, 0.24], speech: [3.4, 13.6] };

type Key = { key: string; token: string; accessKeyId: string; secretAccessKey: string };
let emulator: RunningEmulator;
let gateway: GatewayProcess;

async function admin(method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(gateway.url + route, { method, headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

async function newKey(settings: Record<string, unknown> = {}): Promise<Key> {
  const body = await admin("POST", "/key/generate", { aws_credentials: true, ...settings });
  return { key: body.key, token: body.token, accessKeyId: body.aws_access_key_id, secretAccessKey: body.aws_secret_access_key };
}

/** The speech session fixture under real Node, on the SDK's defaults, configured by this environment only. */
async function session(env: Record<string, string>, mode: "session" | "abort" = "session", model = SONIC): Promise<any> {
  const run = await promisify(execFile)(realNode(), [fixture, mode, model], {
    env: { PATH: process.env.PATH!, HOME: scratchDir("aws-home-bidi-"), AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true", AWS_ENDPOINT_URL_BEDROCK_RUNTIME: gateway.url + "/bedrock", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(run.stdout.trim().split("\n").pop()!);
}
const sigv4 = (key: Key) => ({ AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });
// The SDK signs every input event with SigV4 credentials even when it sends a bearer token, and will not start a
// session without some: any pair does, the gateway does not check a bearer client's event signatures.
const bearer = (key: Key) => ({ AWS_BEARER_TOKEN_BEDROCK: key.key, AWS_ACCESS_KEY_ID: "AKIDANYPLACEHOLDER00", AWS_SECRET_ACCESS_KEY: "any-placeholder" });

async function spendRows(key: Key): Promise<any[]> {
  return (await admin("GET", `/spend/logs?api_key=${key.token}&page_size=100`)).data;
}

/** What the fixture's session uses: two turns (6,400 bytes of speech, then 4 words), a 5-word system prompt. */
const speechIn = (2 * 3200) / INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN;
const spokenPerTurn = 5 * SPEECH_TOKENS_PER_REPLY_WORD;
const cost = (inText: number, inSpeech: number, outText: number, outSpeech: number) =>
  (inText * PRICE.text[0]! + outText * PRICE.text[1]! + inSpeech * PRICE.speech[0]! + outSpeech * PRICE.speech[1]!) / 1e6;

/** Request headers signed as the SDK signs them over HTTP/2, for a client that writes its own frames. */
async function signedHeaders(key: Key): Promise<{ headers: Record<string, string>; seed: string }> {
  const { host } = new URL(gateway.url);
  const signer = new SignatureV4({ service: "bedrock", region: "us-east-1", sha256: Sha256, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });
  const signed = await signer.sign(
    new HttpRequest({ method: "POST", protocol: "http:", hostname: host, path: BIDI_PATH, headers: { host, "content-type": "application/vnd.amazon.eventstream", "x-amz-content-sha256": STREAMING_EVENTS_PAYLOAD } }),
  );
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return { headers, seed: /Signature=([0-9a-f]{64})/.exec(headers.authorization!)![1]! };
}

/** One input event as the SDK serialises it: a `chunk` whose `bytes` are base64 of Nova Sonic JSON. */
function sonicEvent(event: object): Uint8Array {
  return codec.encode({
    headers: { ":event-type": { type: "string", value: "chunk" }, ":message-type": { type: "string", value: "event" }, ":content-type": { type: "string", value: "application/json" } },
    body: fromUtf8(JSON.stringify({ bytes: Buffer.from(JSON.stringify({ event })).toString("base64") })),
  });
}

/**
 * A raw HTTP/2 exchange: writes `before`, waits for the answer's headers, writes `after`, then reads the answer to its
 * end: the status, and the messages when it streams.
 */
async function rawExchange(headers: Record<string, string>, before: Uint8Array[], after: Uint8Array[] = []): Promise<{ status: number; messages: Message[]; text: string }> {
  const client = http2.connect(gateway.url);
  try {
    const stream = client.request({ ":method": "POST", ":path": BIDI_PATH, ...headers });
    stream.on("error", () => {});
    const answered = new Promise<number>((resolve) => stream.once("response", (h) => resolve(Number(h[":status"]))));
    for (const frame of before) stream.write(frame);
    if (after.length === 0) stream.end();
    const status = await answered;
    for (const frame of after) stream.write(frame);
    if (after.length > 0) stream.end();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stream.on("data", (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
        stream.on("close", () => controller.close());
      },
    });
    if (status !== 200) return { status, messages: [], text: await new Response(body).text() };
    const messages = [];
    for await (const frame of readFrames(body)) messages.push(codec.decode(frame));
    return { status, messages, text: "" };
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gateway = await startGateway({ ...emulatorEnv(emulator), MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: "test-only-gateway-secret-key-0123456789abcdef", MAX_REQUEST_BODY_MB: "1", BODY_READ_TIMEOUT_MS: "1000" });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await emulator?.close();
  removeScratchDirs();
});
beforeEach(() => emulator.reset());

describe.skipIf(proxyRuntime !== "bun")("InvokeModelWithBidirectionalStream, relayed both ways over HTTP/2 (bun)", () => {
  it("the SDK's default handler with gateway-issued credentials: several input events, output interleaved, every event re-signed, usage metered and priced", async () => {
    const key = await newKey({ key_alias: "speech-sigv4" });
    const out = await session(sigv4(key));
    expect(out.error).toBeUndefined();
    expect(out.handlerProtocol).toBe("h2");
    // Each turn was sent only after the answer to the previous one arrived: output interleaved with input.
    expect(out.log.indexOf("out: completionStart")).toBeGreaterThan(out.log.indexOf("in: turn 1 ends"));
    expect(out.log.indexOf("in: turn 2")).toBeGreaterThan(out.log.indexOf("out: usageEvent"));
    expect(out.log.lastIndexOf("out: usageEvent")).toBeLessThan(out.log.indexOf("in: end"));
    expect(out.log.at(-1)).toBe("out: completionEnd");
    expect(out.replies).toEqual(["Hello from the Bedrock emulator.", "Hello from the Bedrock emulator."]);

    // Bedrock saw the gateway's signature and its own event chain (the emulator verifies each link), never the client's.
    expect(emulator.requests).toHaveLength(1);
    const upstream = emulator.requests[0]!;
    expect(upstream).toMatchObject({ operation: "InvokeModelWithBidirectionalStream", verified: true, session: { inputEvents: 14 } });
    expect(upstream.headers.authorization).not.toContain(key.accessKeyId);
    expect(upstream.error).toBeUndefined();
    expect(emulator.streams).toEqual({ started: 1, completed: 1, cancelled: 0 });

    const total = upstream.session!.usage;
    expect(total).toEqual({ input: { speechTokens: speechIn, textTokens: 9 }, output: { speechTokens: 2 * spokenPerTurn, textTokens: 10 } });
    await expect.poll(() => spendRows(key), { timeout: 5_000 }).toHaveLength(1);
    const [row] = await spendRows(key);
    expect(row).toMatchObject({ operation: "InvokeModelWithBidirectionalStream", model: SONIC, status: 200, input_tokens: speechIn + 9, output_tokens: 2 * spokenPerTurn + 10, usage_source: "usage-events" });
    expect(row.spend).toBeCloseTo(cost(9, speechIn, 10, 2 * spokenPerTurn), 12);
  });

  it("a Bedrock API key from AWS_BEARER_TOKEN_BEDROCK: the same session; without any AWS credentials the SDK itself will not sign the events", async () => {
    const key = await newKey({ key_alias: "speech-bearer" });
    const out = await session(bearer(key));
    expect(out.error).toBeUndefined();
    expect(out.replies).toHaveLength(2);
    expect(emulator.requests[0]).toMatchObject({ verified: true, session: { inputEvents: 14 } });
    await expect.poll(() => spendRows(key), { timeout: 5_000 }).toHaveLength(1);
    expect((await spendRows(key))[0]).toMatchObject({ input_tokens: speechIn + 9, output_tokens: 2 * spokenPerTurn + 10, usage_source: "usage-events" });

    emulator.reset();
    const tokenOnly = await session({ AWS_BEARER_TOKEN_BEDROCK: key.key });
    expect(tokenOnly.error?.message).toMatch(/Could not load credentials from any providers/);
    expect(emulator.requests).toHaveLength(0);
  });

  it("the client hangs up mid-session: the upstream stream is reset, and the spend row is written with the usage so far", async () => {
    const key = await newKey({ key_alias: "speech-abort" });
    const out = await session(sigv4(key), "abort");
    expect(out.log.at(-1)).toBe("abort");
    expect(out.usageEvents).toHaveLength(1);
    await expect.poll(() => emulator.streams, { timeout: 5_000 }).toEqual({ started: 1, completed: 0, cancelled: 1 });
    await expect.poll(() => spendRows(key), { timeout: 5_000 }).toHaveLength(1);
    const [row] = await spendRows(key);
    expect(row).toMatchObject({ input_tokens: speechIn + 5, output_tokens: spokenPerTurn + 5, usage_source: "usage-events", usage_complete: false });
    expect(row.note).toMatch(/client cancelled/);
    expect(row.spend).toBeCloseTo(cost(5, speechIn, 5, spokenPerTurn), 12);
  });

  it("a wrong key is refused before anything reaches Bedrock (bearer and SigV4)", async () => {
    const key = await newKey();
    const wrongBearer = await session({ ...bearer(key), AWS_BEARER_TOKEN_BEDROCK: "sk-not-a-key" });
    expect(wrongBearer.error).toMatchObject({ name: "UnrecognizedClientException", status: 401 });
    const wrongSecret = await session({ ...sigv4(key), AWS_SECRET_ACCESS_KEY: key.secretAccessKey.replace(/^./, (c) => (c === "A" ? "B" : "A")) });
    expect(wrongSecret.error?.name).toMatch(/InvalidSignatureException/);
    expect(emulator.requests).toHaveLength(0);
  });

  it("a model the key may not use is refused before anything reaches Bedrock", async () => {
    const key = await newKey({ models: [LITE] });
    const out = await session(sigv4(key));
    expect(out.error).toMatchObject({ name: "AccessDeniedException", status: 403 });
    expect(out.error.message).toContain(SONIC);
    expect(emulator.requests).toHaveLength(0);
  });

  it("Bedrock's own refusal (a throttled model) is relayed as Bedrock sent it, AWS-shaped", async () => {
    const key = await newKey();
    const out = await session(sigv4(key), "session", "amazon.nova-sonic-throttle-v1:0");
    expect(out.error).toMatchObject({ name: "ThrottlingException", status: 429 });
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]!.verified).toBe(true);
    await expect.poll(() => spendRows(key), { timeout: 5_000 }).toHaveLength(1);
    expect((await spendRows(key))[0]).toMatchObject({ status: 429, spend: 0 });
  });

  it("budgets: a key over its max_budget after a session is refused the next one", async () => {
    const key = await newKey({ max_budget: 0.0001 });
    expect((await session(sigv4(key))).error).toBeUndefined();
    await expect.poll(async () => (await spendRows(key)).length, { timeout: 5_000 }).toBe(1);
    const refused = await session(sigv4(key));
    expect(refused.error).toMatchObject({ name: "AccessDeniedException", status: 403 });
    expect(refused.error.message).toMatch(/Budget exceeded/);
    expect(emulator.requests).toHaveLength(1);
  });

  it("a SigV4 client's broken event chain: the events before the break are relayed, the broken one is refused with an InvalidSignatureException error frame, and upstream is reset", async () => {
    const key = await newKey();
    const { headers, seed } = await signedHeaders(key);
    const chain = eventChainSigner({ credentials: key, region: "us-east-1", seedSignature: seed });
    const turn = [
      { sessionStart: {} },
      { promptStart: { promptName: "p" } },
      { contentStart: { promptName: "p", contentName: "c", type: "TEXT", role: "USER" } },
      { textInput: { promptName: "p", contentName: "c", content: "hello there" } },
      { contentEnd: { promptName: "p", contentName: "c" } },
    ];
    const good = [];
    for (const event of turn) good.push(await chain.sign(sonicEvent(event)));
    // Signed as if it were the first link again: not the link after the fifth.
    const forged = await eventChainSigner({ credentials: key, region: "us-east-1", seedSignature: seed }).sign(sonicEvent({ promptEnd: { promptName: "p" } }));
    const out = await rawExchange(headers, good, [forged]);
    expect(out.status).toBe(200);
    expect(out.messages[0]!.headers[":event-type"]?.value).toBe("chunk");
    const last = out.messages.at(-1)!;
    expect(last.headers[":message-type"]?.value).toBe("error");
    expect(last.headers[":error-code"]?.value).toBe("InvalidSignatureException");
    expect(String(last.headers[":error-message"]?.value)).toMatch(/signature of event 6 does not match/);
    await expect.poll(() => emulator.streams.cancelled, { timeout: 5_000 }).toBe(1);
    expect(emulator.requests[0]!.session!.inputEvents).toBe(5);

    // Broken on its first event: refused as a plain AWS error, before anything reaches Bedrock.
    emulator.reset();
    const other = await signedHeaders(key);
    const unchained = await eventChainSigner({ credentials: key, region: "us-east-1", seedSignature: "0".repeat(64) }).sign(sonicEvent({ sessionStart: {} }));
    const first = await rawExchange(other.headers, [unchained]);
    expect(first.status).toBe(403);
    expect(JSON.parse(first.text).message).toMatch(/signature of event 1 does not match/);
    expect(emulator.requests).toHaveLength(0);
  });

  it("an input event over MAX_REQUEST_BODY_MB is refused from its announced length, AWS-shaped, before Bedrock", async () => {
    const key = await newKey();
    const { headers, seed } = await signedHeaders(key);
    const big = await eventChainSigner({ credentials: key, region: "us-east-1", seedSignature: seed }).sign(sonicEvent({ audioInput: { content: Buffer.alloc(1024 * 1024).toString("base64") } }));
    const out = await rawExchange(headers, [big]);
    expect(out.status).toBe(413);
    expect(JSON.parse(out.text).message).toMatch(/larger than the gateway's limit of 1048576 bytes \(MAX_REQUEST_BODY_MB\)/);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe.skipIf(proxyRuntime !== "bun")("hostile or idle bidirectional streams (bun)", () => {
  it("a stream reset before its first event, and a flood of them, reach nothing upstream", async () => {
    const key = await newKey();
    const client = http2.connect(gateway.url);
    try {
      for (let i = 0; i < 50; i++) {
        const stream = client.request({ ":method": "POST", ":path": BIDI_PATH, ...(await signedHeaders(key)).headers });
        stream.on("error", () => {});
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
      // One more that is answered: the connection and the gateway keep serving.
      const stream = client.request({ ":method": "POST", ":path": BIDI_PATH, authorization: "Bearer sk-not-a-key" });
      stream.end();
      expect(await new Promise((resolve) => stream.once("response", (h) => resolve(h[":status"])))).toBe(401);
    } finally {
      client.close();
    }
    expect(emulator.requests).toHaveLength(0);
  });

  it("a session whose first event does not come within BODY_READ_TIMEOUT_MS gets a 408 RequestTimeoutException, nothing sent upstream", async () => {
    const key = await newKey();
    const client = http2.connect(gateway.url);
    try {
      const stream = client.request({ ":method": "POST", ":path": BIDI_PATH, ...(await signedHeaders(key)).headers });
      stream.on("error", () => {});
      const answer = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("response", resolve));
      expect([answer[":status"], answer["x-amzn-errortype"]]).toEqual([408, "RequestTimeoutException"]);
      stream.close();
    } finally {
      client.close();
    }
    expect(emulator.requests).toHaveLength(0);
  });
});

describe.skipIf(proxyRuntime !== "deno")("InvokeModelWithBidirectionalStream on Deno", () => {
  it("is refused with a clear AWS-shaped error before anything reaches Bedrock: Deno's HTTP/2 server resets the stream when the SDK closes its session", async () => {
    const key = await newKey();
    const out = await session(sigv4(key));
    expect(out.error).toMatchObject({ name: "UnsupportedOperationException", status: 501 });
    expect(out.error.message).toMatch(/not served by this gateway on Deno.*Run the gateway on Bun/);
    expect(emulator.requests).toHaveLength(0);
  });
});
