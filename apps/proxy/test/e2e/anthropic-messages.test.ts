import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicBedrockMantle } from "@anthropic-ai/bedrock-sdk";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import { adminApi, spendRowOf } from "../support/admin-api.ts";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

// Bedrock Runtime's Anthropic Messages API (`https://bedrock-runtime.{region}.amazonaws.com/anthropic`) through the
// gateway, driven by unmodified Anthropic clients: `@anthropic-ai/sdk` with base URL `<gateway>/bedrock/anthropic` and
// the gateway key as its API key, and `@anthropic-ai/bedrock-sdk`'s AnthropicBedrockMantle pointed at the same URL,
// with the key as its Bedrock API key or signing with a gateway-issued AWS key pair (service `bedrock-mantle`).
const MASTER = "sk-master-anthropic-e2e";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA = "amazon.nova-lite-v1:0";

describe(`Anthropic Messages API (Anthropic SDKs) through the gateway (${proxyRuntime})`, () => {
  let stack: Stack;
  let key: { key: string; token: string; aws_access_key_id: string; aws_secret_access_key: string };
  const baseURL = () => stack.bedrockUrl + "/anthropic";
  const anthropic = (apiKey: string) => new Anthropic({ baseURL: baseURL(), apiKey, maxRetries: 0 });

  const admin = adminApi(() => stack.gateway.url, MASTER);
  const rowOf = (response: Response) => spendRowOf(admin, response);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    return error as InstanceType<typeof Anthropic.APIError>;
  };

  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: "test-only-gateway-secret-key-0123456789abcdef", SPEND_FLUSH_INTERVAL_MS: "50" });
    key = await admin("/key/generate", { key_alias: "anthropic-sdk", models: ["anthropic.*"], aws_credentials: true });
    expect(key.aws_access_key_id, JSON.stringify(key)).toBeTruthy();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("messages.create: the answer, usage metered into a spend row with its cost, the key's header never forwarded", async () => {
    const body = { model: HAIKU, max_tokens: 200, messages: [{ role: "user" as const, content: "Hello there, emulator" }] };
    const { data: message, response } = await anthropic(key.key).messages.create(body).withResponse();
    const expected = expectedUsage(body, "CreateMessage");
    expect(message.content).toEqual([{ type: "text", text: expected.replyText }]);
    expect(message.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });

    const row = await rowOf(response);
    expect(row).toMatchObject({ operation: "CreateMessage", route: "/anthropic/v1/messages", model: HAIKU, status: 200, input_tokens: expected.inputTokens, output_tokens: expected.outputTokens, usage_source: "anthropic-usage", key_alias: "anthropic-sdk" });
    expect(row.spend).toBeGreaterThan(0);
    // Signed for bedrock-runtime and verified by the emulator, which also requires the API version the SDK sent as a header.
    const upstream = stack.emulator.requests.find((r) => r.operation === "CreateMessage");
    expect(upstream).toMatchObject({ verified: true, service: "bedrock-runtime" });
    expect(upstream!.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(upstream!.headers.authorization).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
    expect(JSON.stringify(upstream!.headers)).not.toContain(key.key);
  });

  it("messages.stream with the key as a bearer token: text as it comes, cache tokens metered from message_start and message_delta", async () => {
    const client = new Anthropic({ baseURL: baseURL(), authToken: key.key, apiKey: null, maxRetries: 0 });
    const body = { model: HAIKU, max_tokens: 100, messages: [{ role: "user" as const, content: "Stream a few words" }], emulator: { replyWords: 9, usage: { cacheReadInputTokens: 30, cacheWriteInputTokens: 20 } } };
    const stream = client.messages.stream(body as Anthropic.MessageStreamParams);
    let text = "";
    stream.on("text", (delta) => (text += delta));
    const final = await stream.finalMessage();
    const expected = expectedUsage(body, "CreateMessage");
    expect(text).toBe(expected.replyText);
    expect(final.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: 9, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 });

    const { response } = await stream.withResponse();
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const row = await rowOf(response);
    expect(row).toMatchObject({ operation: "CreateMessage", input_tokens: expected.inputTokens, output_tokens: 9, cache_read_input_tokens: 30, cache_write_input_tokens: 20, usage_source: "anthropic-stream-usage", usage_complete: true });
    expect(row.spend).toBeGreaterThan(0);
  });

  it("an upstream stream that breaks mid-way reaches the SDK as Anthropic's error event, raised after the text already sent", async () => {
    const body = { model: HAIKU, max_tokens: 100, stream: true as const, messages: [{ role: "user" as const, content: "Hi" }], emulator: { cutAfterEvents: 5, eventDelayMs: 20 } };
    const { data: stream, response } = await anthropic(key.key).messages.create(body as Anthropic.MessageCreateParamsStreaming).withResponse();
    let text = "";
    const error = await (async () => {
      for await (const event of stream) if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    })().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).apiMessage).toContain("The upstream Bedrock stream failed");
    expect(text).toBe("Hello from");
    // Input was known from message_start, the output count never came: logged and priced as a lower bound, and said so.
    const row = await rowOf(response);
    expect(row).toMatchObject({ usage_source: "anthropic-stream-usage", usage_complete: false, input_tokens: expectedUsage(body, "CreateMessage").inputTokens });
    expect(row.note).toContain("before its message_delta usage");
  });

  it("a tool use and its result, round trip", async () => {
    const client = anthropic(key.key);
    const tools: Anthropic.Tool[] = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] } }];
    const question: Anthropic.MessageParam = { role: "user", content: "Weather in Paris?" };
    const first = await client.messages.create({ model: HAIKU, max_tokens: 100, tools, messages: [question] });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use")!;
    expect(use).toMatchObject({ name: "get_weather", input: { city: "emulator" } });

    const second = await client.messages.create({
      model: HAIKU,
      max_tokens: 100,
      tools,
      messages: [question, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny" }] }],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content).toEqual([{ type: "text", text: "Hello from the Bedrock emulator." }]);
  });

  it("refusals are Anthropic-shaped, so the SDK raises its typed errors with the gateway's message; nothing goes upstream", async () => {
    const before = stack.emulator.requests.length;
    const hi = { max_tokens: 10, messages: [{ role: "user" as const, content: "Hi" }] };
    const denied = await refusal(anthropic(key.key).messages.create({ model: NOVA, ...hi }));
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(denied.apiMessage).toContain(`may not use model ${NOVA}`);
    expect(denied.type).toBe("permission_error");
    expect(denied.headers?.get("x-amzn-errortype")).toBe("AccessDeniedException");

    const unknown = await refusal(anthropic("sk-not-a-key").messages.create({ model: HAIKU, ...hi }));
    expect(unknown).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(unknown.type).toBe("authentication_error");
    expect(unknown.apiMessage!.length).toBeGreaterThan(10);

    const noModel = await refusal(anthropic(key.key).messages.create(hi as Anthropic.MessageCreateParamsNonStreaming));
    expect(noModel).toBeInstanceOf(Anthropic.BadRequestError);
    expect(noModel.apiMessage).toContain("anthropic.claude-3-haiku-20240307-v1:0");
    expect(noModel.type).toBe("invalid_request_error");

    // count_tokens is not documented on bedrock-runtime's /anthropic: a path with no model the gateway can check.
    const counting = await refusal(anthropic(key.key).messages.countTokens({ model: HAIKU, messages: hi.messages }));
    expect(counting).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(counting.apiMessage).toContain("limited to some models");
    expect(stack.emulator.requests.length).toBe(before);
  });

  it("rate limits and budgets apply as on the native API: RateLimitError, PermissionDeniedError", async () => {
    const hi = { model: HAIKU, max_tokens: 10, messages: [{ role: "user" as const, content: "Hi" }] };
    const limited = await admin("/key/generate", { rpm_limit: 1 });
    await anthropic(limited.key).messages.create(hi);
    const throttled = await refusal(anthropic(limited.key).messages.create(hi));
    expect(throttled).toBeInstanceOf(Anthropic.RateLimitError);
    expect(throttled.type).toBe("rate_limit_error");
    expect(throttled.apiMessage).toContain("rpm_limit");

    const broke = await admin("/key/generate", { max_budget: 0 });
    const overBudget = await refusal(anthropic(broke.key).messages.create(hi));
    expect(overBudget).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(overBudget.apiMessage).toMatch(/budget/i);
  });

  it("budgets hold under parallel calls: each reserves its input and max_tokens before it is sent", async () => {
    // One call: ~100 input + 2,000 output tokens at Haiku's price ($0.0025+); the budget covers three.
    const funded = await admin("/key/generate", { max_budget: 0.0085 });
    const emulator = { usage: { inputTokens: 100, outputTokens: 2_000 }, firstByteDelayMs: 300 };
    const client = anthropic(funded.key);
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, () => client.messages.create({ model: HAIKU, max_tokens: 2_000, messages: [{ role: "user", content: "Hi" }], emulator } as Anthropic.MessageCreateParamsNonStreaming)),
    );
    const served = settled.filter((s) => s.status === "fulfilled").length;
    const refused = settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
    expect(refused.every((e) => e instanceof Anthropic.PermissionDeniedError && /budget/i.test(e.message))).toBe(true);
    expect(served).toBeGreaterThanOrEqual(2);
    expect(served).toBeLessThanOrEqual(4);
  });

  describe("AnthropicBedrockMantle pointed at the gateway", () => {
    it("with the gateway key as its Bedrock API key (bearer): create and stream", async () => {
      const client = new AnthropicBedrockMantle({ baseURL: baseURL(), apiKey: key.key, awsRegion: "us-east-1", maxRetries: 0 });
      const body = { model: HAIKU, max_tokens: 50, messages: [{ role: "user" as const, content: "Hello Mantle" }] };
      const message = await client.messages.create(body);
      expect(message.content).toEqual([{ type: "text", text: expectedUsage(body, "CreateMessage").replyText }]);
      const streamed = await client.messages.stream(body).finalText();
      expect(streamed).toBe(expectedUsage(body, "CreateMessage").replyText);
    });

    it("signing with a gateway-issued AWS key pair for service bedrock-mantle, its base URL from the environment variable", async () => {
      const before = process.env.ANTHROPIC_BEDROCK_MANTLE_BASE_URL;
      process.env.ANTHROPIC_BEDROCK_MANTLE_BASE_URL = baseURL();
      let client: AnthropicBedrockMantle;
      try {
        client = new AnthropicBedrockMantle({ awsAccessKey: key.aws_access_key_id, awsSecretAccessKey: key.aws_secret_access_key, awsRegion: "us-east-1", maxRetries: 0 });
      } finally {
        if (before === undefined) delete process.env.ANTHROPIC_BEDROCK_MANTLE_BASE_URL;
        else process.env.ANTHROPIC_BEDROCK_MANTLE_BASE_URL = before;
      }
      const body = { model: HAIKU, max_tokens: 50, messages: [{ role: "user" as const, content: "Signed for Mantle" }] };
      const { data: message, response } = await client.messages.create(body).withResponse();
      expect(message.content).toEqual([{ type: "text", text: expectedUsage(body, "CreateMessage").replyText }]);
      expect(await rowOf(response)).toMatchObject({ operation: "CreateMessage", key_alias: "anthropic-sdk", status: 200, usage_source: "anthropic-usage" });
      // The pair's secret stays with the client; the gateway re-signed for `bedrock`.
      const upstream = stack.emulator.requests.filter((r) => r.operation === "CreateMessage").at(-1)!;
      expect(upstream).toMatchObject({ verified: true });
      expect(upstream.headers.authorization).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
      expect(JSON.stringify(stack.emulator.requests.map((r) => r.headers))).not.toContain(key.aws_access_key_id);

      const denied = await refusal(client.messages.create({ ...body, model: NOVA }));
      expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
      expect(denied.apiMessage).toContain(NOVA);
    });

    it("a bedrock-mantle signature is accepted only on the OpenAI- and Anthropic-compatible routes, not on the native API", async () => {
      const url = new URL(stack.bedrockUrl + `/model/${encodeURIComponent(HAIKU)}/converse`);
      const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] });
      const sign = (service: string) =>
        new SignatureV4({ service, region: "us-east-1", sha256: Sha256, credentials: { accessKeyId: key.aws_access_key_id, secretAccessKey: key.aws_secret_access_key } }).sign(
          new HttpRequest({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, "content-type": "application/json" }, body }),
        );
      const send = async (service: string) => fetch(url, { method: "POST", headers: (await sign(service)).headers, body });
      const mantle = await send("bedrock-mantle");
      expect(mantle.status).toBe(403);
      expect(mantle.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
      expect((await mantle.json()).message).toContain("'bedrock'");
      expect((await send("bedrock")).status).toBe(200);
    });
  });

  it("metrics count CreateMessage by name", async () => {
    const metrics = await (await fetch(stack.gateway.url + "/metrics")).text();
    expect(metrics).toMatch(/bedrock_gateway_requests_total\{[^}]*operation="CreateMessage"/);
  });
});
