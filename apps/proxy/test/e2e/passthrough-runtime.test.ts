import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ApplyGuardrailCommand,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import { runtimeClient, startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-e2e";
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

const hello = { messages: [{ role: "user" as const, content: [{ text: "Hello there gateway" }] }] };

describe(`bedrock-runtime through the proxy (${proxyRuntime})`, () => {
  it("Converse with a model id containing ':' reaches Bedrock signed, path encoded as the SDK sent it", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const out = await client.send(new ConverseCommand({ modelId: "cohere.command-r-v1:0", ...hello }));
    const expected = expectedUsage(hello, "Converse");
    expect(out.output?.message?.content?.[0]?.text).toBe(expected.replyText);
    expect(out.usage?.inputTokens).toBe(expected.inputTokens);
    expect(out.usage?.outputTokens).toBe(expected.outputTokens);
    expect(out.$metadata.requestId).toBeTruthy();
    const [seen] = stack.emulator.requests;
    expect(seen.verified).toBe(true);
    expect(seen.rawPath).toBe("/model/cohere.command-r-v1%3A0/converse");
    expect(seen.service).toBe("bedrock-runtime");
  });

  it("keeps %2F inside an application inference profile ARN", async () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const out = await client.send(new ConverseCommand({ modelId: arn, ...hello }));
    expect(out.stopReason).toBeTruthy();
    const [seen] = stack.emulator.requests;
    expect(seen.verified).toBe(true);
    expect(seen.rawPath).toBe("/model/" + encodeURIComponent(arn) + "/converse");
  });

  it("accepts the reference docs' curl call: literal ':' in the path and a bearer key", async () => {
    const res = await fetch(stack.bedrockUrl + "/model/cohere.command-r-v1:0/converse", {
      method: "POST",
      headers: { Authorization: `Bearer ${MASTER}`, "Content-Type": "application/json" },
      body: JSON.stringify(hello),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.usage.inputTokens).toBe(expectedUsage(hello, "Converse").inputTokens);
    expect(stack.emulator.requests[0].rawPath).toBe("/model/cohere.command-r-v1:0/converse");
    expect(stack.emulator.requests[0].verified).toBe(true);
  });

  it("forwards query strings exactly and signs them as AWS decodes them ('+' stays a plus)", async () => {
    const res = await fetch(stack.bedrockUrl + "/async-invoke?maxResults=2&nextToken=a+b%2Fc%3D%3D&sortOrder=Descending", {
      headers: { authorization: `Bearer ${MASTER}` },
    });
    expect(res.status).toBe(200);
    const [seen] = stack.emulator.requests;
    expect([seen.method, seen.verified, seen.query]).toEqual(["GET", true, "maxResults=2&nextToken=a+b%2Fc%3D%3D&sortOrder=Descending"]);
  });

  it("forwards the body byte for byte (whitespace and key order untouched)", async () => {
    const raw = '{ "messages":[ {"content":[{"text":"spaced   out"}], "role":"user"} ] ,"inferenceConfig":{"maxTokens":5}}';
    const res = await fetch(stack.bedrockUrl + "/model/amazon.nova-lite-v1:0/converse", {
      method: "POST",
      headers: { "x-api-key": MASTER, "content-type": "application/json" },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(stack.emulator.requests[0].bodyLength).toBe(new TextEncoder().encode(raw).byteLength);
    expect(stack.emulator.requests[0].verified).toBe(true);
  });

  it("ConverseStream relays events while upstream is still sending", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const delay = 150;
    const events = 6;
    const request = {
      modelId: "anthropic.claude-3-haiku-20240307-v1:0",
      ...hello,
      additionalModelRequestFields: { emulator: { events, eventDelayMs: delay } },
    };
    const out = await client.send(new ConverseStreamCommand(request));
    const arrivals: number[] = [];
    let text = "";
    let usage: { inputTokens?: number } | undefined;
    for await (const event of out.stream!) {
      arrivals.push(Date.now());
      if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
      if (event.metadata) usage = event.metadata.usage;
    }
    const expected = expectedUsage(request, "ConverseStream");
    expect(text.trim()).toBe(expected.replyText);
    expect(usage?.inputTokens).toBe(expected.inputTokens);
    // A buffering proxy would deliver everything at once at the end; here the first delta arrives
    // well before upstream has produced the rest (events are `delay` ms apart upstream).
    expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThan(delay * (events - 2));
  });

  it("InvokeModel returns the model-native body and Bedrock's token headers", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const body = { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, messages: [{ role: "user", content: "count these four words" }] };
    const out = await client.send(
      new InvokeModelCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", body: JSON.stringify(body), contentType: "application/json", accept: "application/json" }),
    );
    const parsed = JSON.parse(new TextDecoder().decode(out.body));
    const expected = expectedUsage(body, "InvokeModel");
    expect(parsed.usage.input_tokens).toBe(expected.inputTokens);
    expect(stack.emulator.requests[0].headers["accept"]).toBe("application/json");
  });

  it("InvokeModel keeps X-Amzn-Bedrock-* request headers (API parameters) and signs them", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    await client.send(
      new InvokeModelCommand({
        modelId: "amazon.titan-text-express-v1",
        body: JSON.stringify({ inputText: "hi" }),
        trace: "ENABLED",
        guardrailIdentifier: "gr-1",
        guardrailVersion: "1",
      }),
    );
    const seen = stack.emulator.requests[0];
    expect(seen.verified).toBe(true);
    expect(seen.headers["x-amzn-bedrock-trace"]).toBe("ENABLED");
    expect(seen.headers["x-amzn-bedrock-guardrailidentifier"]).toBe("gr-1");
  });

  it("InvokeModelWithResponseStream delivers every chunk", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const body = { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, messages: [{ role: "user", content: "stream me" }] };
    const out = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", body: JSON.stringify(body) }));
    const chunks: any[] = [];
    for await (const event of out.body!) {
      if (event.chunk?.bytes) chunks.push(JSON.parse(new TextDecoder().decode(event.chunk.bytes)));
    }
    const metrics = chunks[chunks.length - 1]["amazon-bedrock-invocationMetrics"];
    expect(metrics.inputTokenCount).toBe(expectedUsage(body, "InvokeModelWithResponseStream").inputTokens);
  });

  it("ApplyGuardrail and CountTokens", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const guard = await client.send(
      new ApplyGuardrailCommand({ guardrailIdentifier: "guardrailIdentifier", guardrailVersion: "1", source: "INPUT", content: [{ text: { text: "Hello world" } }] }),
    );
    expect(guard.usage?.contentPolicyUnits).toBe(1);
    const count = await client.send(new CountTokensCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", input: { converse: hello } }));
    expect(count.inputTokens).toBe(expectedUsage(hello, "Converse").inputTokens);
    expect(stack.emulator.requests.map((r) => r.operation)).toEqual(["ApplyGuardrail", "CountTokens"]);
  });

  it("relays upstream errors as Bedrock sent them, typed in the SDK", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const error = await client
      .send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", ...hello, additionalModelRequestFields: { emulator: { throttle: true } } }))
      .catch((e) => e);
    expect(error.name).toBe("ThrottlingException");
    expect(error.$metadata.httpStatusCode).toBe(429);
  });

  it("a mid-stream exception frame from Bedrock reaches the client as a typed error after the earlier events", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const out = await client.send(
      new ConverseStreamCommand({ modelId: "amazon.nova-lite-v1:0", ...hello, additionalModelRequestFields: { emulator: { events: 6, failAfterEvents: 3 } } }),
    );
    let seen = 0;
    const error = await (async () => {
      for await (const _ of out.stream!) seen++;
    })().catch((e) => e);
    expect(seen).toBe(3);
    expect(error?.name).toMatch(/Exception$/);
  });

  it("a connection cut mid-stream becomes an event-stream exception frame, never garbage", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const out = await client.send(
      new ConverseStreamCommand({ modelId: "amazon.nova-lite-v1:0", ...hello, additionalModelRequestFields: { emulator: { events: 8, cutAfterEvents: 3, eventDelayMs: 20 } } }),
    );
    let seen = 0;
    const error = await (async () => {
      for await (const _ of out.stream!) seen++;
    })().catch((e) => e);
    expect(seen).toBe(3);
    expect(error?.name).toBe("InternalServerException");
    expect(error?.message).toContain("upstream");
  });

  it("a client that disconnects mid-stream aborts the upstream call", async () => {
    const client = runtimeClient(stack.bedrockUrl, MASTER);
    const abort = new AbortController();
    const out = await client.send(
      new ConverseStreamCommand({ modelId: "amazon.nova-lite-v1:0", ...hello, additionalModelRequestFields: { emulator: { events: 60, eventDelayMs: 100 } } }),
      { abortSignal: abort.signal },
    );
    let seen = 0;
    await (async () => {
      for await (const _ of out.stream!) {
        if (++seen === 2) abort.abort();
      }
    })().catch(() => {});
    const deadline = Date.now() + 3_000;
    while (stack.emulator.streams.cancelled === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stack.emulator.streams).toMatchObject({ started: 1, cancelled: 1, completed: 0 });
  });
});
