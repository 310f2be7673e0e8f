import {
  ApplyGuardrailCommand,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  GetAsyncInvokeCommand,
  InvokeGuardrailChecksCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ListAsyncInvokesCommand,
  StartAsyncInvokeCommand,
  ThrottlingException,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedUsage, startEmulator, type RunningEmulator } from "../src/index.ts";
import { runtimeClient, signedFetch } from "./helpers.ts";

let emu: RunningEmulator;
let client: ReturnType<typeof runtimeClient>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = runtimeClient(emu.url);
});
afterAll(() => emu.close());

const messages = [{ role: "user" as const, content: [{ text: "What is the capital of France?" }] }];
const ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc";
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));

describe("Converse via the official SDK", () => {
  test.each(["cohere.command-r-v1:0", ARN, "us.anthropic.claude-3-5-haiku-20241022-v1:0"])("modelId %s", async (modelId) => {
    const input = { modelId, messages, system: [{ text: "Be brief." }] };
    const out = await client.send(new ConverseCommand(input));
    const exp = expectedUsage(input, "Converse");
    expect(exp.inputTokens).toBe(8);
    expect(out.usage).toEqual({ inputTokens: exp.inputTokens, outputTokens: exp.outputTokens, totalTokens: exp.totalTokens });
    expect(out.output?.message?.content?.[0]?.text).toBe(exp.replyText);
    expect(out.stopReason).toBe("end_turn");
    expect(out.metrics?.latencyMs).toBeGreaterThan(0);
  });

  test("control object overrides usage and reply length", async () => {
    const input = {
      modelId: "amazon.nova-pro-v1:0",
      messages,
      additionalModelRequestFields: { emulator: { usage: { inputTokens: 1000, outputTokens: 50, cacheReadInputTokens: 200, cacheWriteInputTokens: 10 }, replyWords: 12 } },
    };
    const out = await client.send(new ConverseCommand(input));
    expect(out.usage).toEqual({ inputTokens: 1000, outputTokens: 50, totalTokens: 1260, cacheReadInputTokens: 200, cacheWriteInputTokens: 10, cacheDetails: [{ ttl: "5m", inputTokens: 10 }] });
    expect(out.output?.message?.content?.[0]?.text?.split(" ")).toHaveLength(12);
  });

  test("ConverseStream delivers all events and the metadata usage", async () => {
    const input = { modelId: "cohere.command-r-v1:0", messages };
    const out = await client.send(new ConverseStreamCommand(input));
    const types: string[] = [];
    let text = "";
    let usage: unknown;
    for await (const ev of out.stream!) {
      types.push(Object.keys(ev)[0]!);
      if (ev.contentBlockDelta) text += ev.contentBlockDelta.delta?.text ?? "";
      if (ev.metadata) usage = ev.metadata.usage;
    }
    const exp = expectedUsage(input, "ConverseStream");
    expect(types).toEqual(["messageStart", ...Array(5).fill("contentBlockDelta"), "contentBlockStop", "messageStop", "metadata"]);
    expect(text).toBe(exp.replyText);
    expect(usage).toEqual({ inputTokens: exp.inputTokens, outputTokens: exp.outputTokens, totalTokens: exp.totalTokens });
  });

  test("throttling: control flag and model ids containing 'throttle'", async () => {
    await expect(client.send(new ConverseCommand({ modelId: "test.throttle-model", messages }))).rejects.toBeInstanceOf(ThrottlingException);
    await expect(
      client.send(new ConverseCommand({ modelId: "m", messages, additionalModelRequestFields: { emulator: { throttle: true } } })),
    ).rejects.toMatchObject({ name: "ThrottlingException", $metadata: { httpStatusCode: 429 } });
  });
});

describe("InvokeModel", () => {
  const cases: [string, Record<string, unknown>, (b: any) => unknown][] = [
    ["anthropic.claude-3-haiku-20240307-v1:0", { anthropic_version: "bedrock-2023-05-31", max_tokens: 10, system: "Be brief.", messages: [{ role: "user", content: [{ type: "text", text: "one two" }] }] }, (b) => b.usage.input_tokens],
    [ARN, { messages: [{ role: "user", content: "one two three" }] }, (b) => b.usage.input_tokens],
    ["us.amazon.nova-micro-v1:0", { messages: [{ role: "user", content: [{ text: "one two" }] }], inferenceConfig: { maxTokens: 5 } }, (b) => b.usage.inputTokens],
    ["amazon.titan-text-express-v1", { inputText: "one two", textGenerationConfig: { maxTokenCount: 5 } }, (b) => b.inputTextTokenCount],
    ["meta.llama3-8b-instruct-v1:0", { prompt: "one two", max_gen_len: 5 }, (b) => b.prompt_token_count],
    ["mistral.mistral-7b-instruct-v0:2", { prompt: "one two" }, (b) => b.outputs[0].text && undefined],
    ["cohere.command-r-v1:0", { message: "one two", chat_history: [{ role: "USER", message: "three" }] }, (b) => b.meta.billed_units.input_tokens],
    ["ai21.jamba-1-5-mini-v1:0", { messages: [{ role: "user", content: "one two" }] }, (b) => b.usage.prompt_tokens],
    ["deepseek.r1-v1:0", { prompt: "one two" }, (b) => b.choices[0].text && undefined],
  ];
  test.each(cases)("%s native body", async (modelId, native, inputTokensOf) => {
    const out = await client.send(new InvokeModelCommand({ modelId, body: JSON.stringify(native), contentType: "application/json" }));
    const body = decode(out.body!);
    const exp = expectedUsage(native, "InvokeModel");
    const reported = inputTokensOf(body);
    if (reported !== undefined) expect(reported).toBe(exp.inputTokens);
    expect(JSON.stringify(body)).toContain(exp.replyText);
  });

  test("usage headers, and omitUsageHeaders", async () => {
    const native = { anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [{ role: "user", content: "a b c" }] };
    const withHeaders = await signedFetch(emu.url, { path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", body: JSON.stringify(native) });
    expect(withHeaders.headers.get("x-amzn-bedrock-input-token-count")).toBe("3");
    expect(withHeaders.headers.get("x-amzn-bedrock-output-token-count")).toBe("5");
    expect(Number(withHeaders.headers.get("x-amzn-bedrock-invocation-latency"))).toBeGreaterThan(0);
    const omitted = await signedFetch(emu.url, {
      path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
      body: JSON.stringify({ ...native, emulator: { omitUsageHeaders: true } }),
    });
    expect(omitted.headers.get("x-amzn-bedrock-input-token-count")).toBeNull();
    expect(((await omitted.json()) as any).usage.input_tokens).toBe(3);
  });

  test("InvokeModelWithResponseStream: anthropic chunks with invocation metrics on the last one", async () => {
    const native = { anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [{ role: "user", content: "one two three" }] };
    const out = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", body: JSON.stringify(native) }));
    const chunks: any[] = [];
    for await (const ev of out.body!) chunks.push(decode(ev.chunk!.bytes!));
    expect(chunks.map((c) => c.type)).toEqual([
      "message_start",
      "content_block_start",
      ...Array(5).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const metrics = chunks.at(-1)["amazon-bedrock-invocationMetrics"];
    expect(metrics).toMatchObject({ inputTokenCount: 3, outputTokenCount: 5 });
    expect(metrics.firstByteLatency).toBeLessThanOrEqual(metrics.invocationLatency);
    expect(chunks.filter((c) => c.type === "content_block_delta").map((c) => c.delta.text).join("")).toBe(expectedUsage(native, "InvokeModel").replyText);
  });

  // Each family's own body (the emulator refuses another family's, as Bedrock does).
  test.each([
    ["amazon.nova-lite-v1:0", { messages: [{ role: "user", content: [{ text: "x y" }] }] }],
    ["meta.llama3-8b-instruct-v1:0", { prompt: "x y" }],
    ["mistral.mistral-large-2402-v1:0", { prompt: "x y" }],
    ["cohere.command-r-v1:0", { message: "x y" }],
    ["amazon.titan-text-lite-v1", { inputText: "x y" }],
    ["ai21.jamba-instruct-v1:0", { messages: [{ role: "user", content: "x y" }] }],
    ["deepseek.r1-v1:0", { prompt: "x y" }],
  ])(
    "InvokeModelWithResponseStream %s ends with metrics",
    async (modelId, native) => {
      const out = await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify({ ...native, emulator: { usage: { inputTokens: 7 } } }) }));
      const chunks: any[] = [];
      for await (const ev of out.body!) chunks.push(decode(ev.chunk!.bytes!));
      expect(chunks.at(-1)["amazon-bedrock-invocationMetrics"]).toMatchObject({ inputTokenCount: 7, outputTokenCount: 5 });
      expect(chunks.slice(0, -1).every((c) => !("amazon-bedrock-invocationMetrics" in c))).toBe(true);
    },
  );
});

describe("other bedrock-runtime operations", () => {
  test("CountTokens (converse and invokeModel inputs)", async () => {
    const a = await client.send(new CountTokensCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", input: { converse: { messages } } }));
    expect(a.inputTokens).toBe(6);
    const b = await client.send(
      new CountTokensCommand({
        modelId: "anthropic.claude-3-haiku-20240307-v1:0",
        input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify({ messages: [{ role: "user", content: "a b" }] })) } },
      }),
    );
    expect(b.inputTokens).toBe(2);
  });

  test("ApplyGuardrail units: 1 per 1000 chars, rounded up, per policy", async () => {
    const out = await client.send(
      new ApplyGuardrailCommand({ guardrailIdentifier: "gr-1", guardrailVersion: "DRAFT", source: "INPUT", content: [{ text: { text: "x".repeat(1500) } }] }),
    );
    expect(out.action).toBe("NONE");
    expect(out.usage).toMatchObject({ topicPolicyUnits: 2, contentPolicyUnits: 2, wordPolicyUnits: 2, sensitiveInformationPolicyUnits: 2, contextualGroundingPolicyUnits: 2 });
  });

  test("InvokeGuardrailChecks", async () => {
    const out = await client.send(
      new InvokeGuardrailChecksCommand({ messages: [{ role: "user", content: [{ text: "hello" }] }] as any, checks: { contentFilter: {} } as any }),
    );
    expect(out.usage?.contentFilter?.textUnits).toBe(1);
  });

  test("async invoke: start, list, get", async () => {
    const started = await client.send(
      new StartAsyncInvokeCommand({ modelId: "amazon.nova-reel-v1:0", modelInput: { taskType: "TEXT_VIDEO" }, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://b/" } } }),
    );
    expect(started.invocationArn).toMatch(/^arn:aws:bedrock:us-east-1:/);
    const list = await client.send(new ListAsyncInvokesCommand({}));
    expect(list.asyncInvokeSummaries?.[0]?.status).toBe("Completed");
    const got = await client.send(new GetAsyncInvokeCommand({ invocationArn: started.invocationArn }));
    expect(got.invocationArn).toBe(started.invocationArn);
    expect(got.submitTime).toBeInstanceOf(Date);
  });
});
