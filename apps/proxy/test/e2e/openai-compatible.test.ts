import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { BedrockOpenAI } from "openai/bedrock";
import { bedrock } from "openai/providers/bedrock/aws";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import prices from "../../src/pricing/price-table.json" with { type: "json" };
import { adminApi, spendRowOf } from "../support/admin-api.ts";
import { startStack, type Stack } from "../support/fixture.ts";

// Bedrock Runtime's OpenAI-compatible API through the gateway, driven by the unmodified `openai` npm SDK: the
// gateway key is the SDK's api key (sent as `Authorization: Bearer`), the base URL `<gateway>/bedrock/openai/v1`.
const MASTER = "sk-master-openai-e2e";
const GPT_OSS = "openai.gpt-oss-20b-1:0";
const GPT_OSS_BIG = "openai.gpt-oss-120b-1:0";
const price = (prices.models as Record<string, { input: number; output: number }>)[GPT_OSS]!;

describe("OpenAI-compatible API (openai SDK) through the gateway", () => {
  let stack: Stack;
  let key: { key: string; token: string };
  const openai = (apiKey: string) => new OpenAI({ baseURL: stack.bedrockUrl + "/openai/v1", apiKey, maxRetries: 0 });

  const admin = adminApi(() => stack.gateway.url, MASTER);
  const rowOf = (response: Response) => spendRowOf(admin, response);

  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER, SPEND_FLUSH_INTERVAL_MS: "50", GATEWAY_SECRET_KEY: "test-only-gateway-secret-key-0123456789abcdef" });
    key = await admin("/key/generate", { key_alias: "openai-sdk", models: ["openai.gpt-oss-20b-*"] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("chat.completions.create: the emulator's answer, usage metered into a spend row with its cost", async () => {
    const body = { model: GPT_OSS, messages: [{ role: "user" as const, content: "Hello there, emulator" }] };
    const { data: completion, response } = await openai(key.key).chat.completions.create(body).withResponse();
    const expected = expectedUsage(body, "CreateChatCompletion");
    expect(completion.choices[0]!.message.content).toBe(expected.replyText);
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });

    const row = await rowOf(response);
    expect(row).toMatchObject({ operation: "CreateChatCompletion", model: GPT_OSS, status: 200, input_tokens: expected.inputTokens, output_tokens: expected.outputTokens, usage_source: "openai-usage", key_alias: "openai-sdk" });
    expect(row.spend).toBeCloseTo((expected.inputTokens * price.input + expected.outputTokens * price.output) / 1000, 12);
    // The upstream call was signed for bedrock-runtime and verified by the emulator, the gateway key not forwarded.
    const upstream = stack.emulator.requests.find((r) => r.operation === "CreateChatCompletion");
    expect(upstream?.verified).toBe(true);
    expect(JSON.stringify(upstream?.headers)).not.toContain(key.key);
  });

  it("streaming: deltas arrive as server-sent events, usage read from the last chunk in flight", async () => {
    const body = { model: GPT_OSS, messages: [{ role: "user" as const, content: "Stream a few words please" }], emulator: { replyWords: 12 } };
    const stream = await openai(key.key).chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } } as any).withResponse();
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream.data as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    const expected = expectedUsage(body, "CreateChatCompletion");
    expect(text).toBe(expected.replyText);
    expect(usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: 12 });
    expect(stream.response.headers.get("content-type")).toContain("text/event-stream");

    const row = await rowOf(stream.response);
    expect(row).toMatchObject({ operation: "CreateChatCompletion", input_tokens: expected.inputTokens, output_tokens: 12, usage_source: "openai-stream-usage" });
    expect(row.spend).toBeGreaterThan(0);
  });

  it("a stream that did not ask for usage is logged as unmetered, with the reason, never as zero cost", async () => {
    const stream = await openai(key.key).chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Hi" }], stream: true }).withResponse();
    for await (const _ of stream.data) void _;
    const row = await rowOf(stream.response);
    expect(row).toMatchObject({ usage_source: "openai-stream-usage", usage_complete: false, spend: null });
    expect(row.note).toContain("stream_options.include_usage");
  });

  it("an upstream stream that breaks mid-way reaches the SDK as an error event it raises, after the deltas already sent", async () => {
    const body = { model: GPT_OSS, messages: [{ role: "user" as const, content: "Hi" }], stream: true as const, emulator: { cutAfterEvents: 3, eventDelayMs: 20 } };
    const stream = await openai(key.key).chat.completions.create(body as any).withResponse();
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream.data as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) text += chunk.choices[0]?.delta.content ?? "";
    })().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain("The upstream Bedrock stream failed");
    expect(text).toBe("Hello from");
    expect(await rowOf(stream.response)).toMatchObject({ usage_complete: false, spend: null });
  });

  it("a tool call and its result, round trip", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] } } },
    ];
    const client = openai(key.key);
    const first = await client.chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Weather in Paris?" }], tools });
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "emulator" });

    const second = await client.chat.completions.create({
      model: GPT_OSS,
      tools,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        first.choices[0]!.message,
        { role: "tool", tool_call_id: call.id, content: "sunny" },
      ],
    });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect(second.choices[0]!.message.content).toBe("Hello from the Bedrock emulator.");
  });

  it("responses.create (JSON and streamed): output text and usage from response.completed", async () => {
    const client = openai(key.key);
    const body = { model: GPT_OSS, input: "Say hello" };
    const { data: answer, response } = await client.responses.create(body).withResponse();
    const expected = expectedUsage(body, "CreateResponse");
    expect(answer.output_text).toBe(expected.replyText);
    expect((await rowOf(response)).usage_source).toBe("openai-usage");

    const stream = await client.responses.create({ ...body, stream: true }).withResponse();
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream.data) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(text).toBe(expected.replyText);
    expect(completed?.usage?.input_tokens).toBe(expected.inputTokens);
    expect(await rowOf(stream.response)).toMatchObject({ operation: "CreateResponse", usage_source: "openai-stream-usage", input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
  });

  it("refusals are OpenAI-shaped, so the SDK raises its typed errors with the gateway's message", async () => {
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      return error as InstanceType<typeof OpenAI.APIError>;
    };
    // Another model than the key's allow-list, read from the body before anything goes upstream.
    const before = stack.emulator.requests.length;
    const denied = await refusal(openai(key.key).chat.completions.create({ model: GPT_OSS_BIG, messages: [{ role: "user", content: "Hi" }] }));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.message).toContain(`may not use model ${GPT_OSS_BIG}`);
    expect(denied.code).toBe("AccessDeniedException");
    expect(denied.type).toBe("permission_error");

    const unknown = await refusal(openai("sk-not-a-key").chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Hi" }] }));
    expect(unknown).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unknown.message.length).toBeGreaterThan(10);

    const noModel = await refusal(openai(key.key).chat.completions.create({ messages: [{ role: "user", content: "Hi" }] } as any));
    expect(noModel).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noModel.message).toContain("`model`");

    // A path bedrock-runtime does not document names no model the gateway can check: refused for a model-limited key.
    const unchecked = await refusal(openai(key.key).models.list());
    expect(unchecked).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(unchecked.message).toContain("limited to some models");
    expect(stack.emulator.requests.length).toBe(before);
  });

  it("budgets and rate limits apply as on the native API, refused in OpenAI's shape", async () => {
    const limited = await admin("/key/generate", { rpm_limit: 1 });
    const client = openai(limited.key);
    await client.chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Hi" }] });
    const throttled = await client.chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Hi" }] }).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(OpenAI.RateLimitError);
    expect((throttled as Error).message).toContain("rpm_limit");

    const broke = await admin("/key/generate", { max_budget: 0 });
    const overBudget = await openai(broke.key).chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Hi" }] }).catch((e: unknown) => e);
    expect(overBudget).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((overBudget as Error).message).toMatch(/budget/i);
  });

  it("budgets hold under parallel calls: each reserves its input and max_completion_tokens / max_output_tokens first", async () => {
    // One call: 100 input + 1,000 output tokens = $0.000307 at gpt-oss-20b's price; the budget covers three.
    const budget = 0.001;
    const oneCall = (100 * price.input + 1_000 * price.output) / 1000;
    const funded = await admin("/key/generate", { max_budget: budget });
    const emulator = { usage: { inputTokens: 100, outputTokens: 1_000 }, firstByteDelayMs: 300 };
    const client = openai(funded.key);
    const calls = Array.from({ length: 30 }, (_, i) =>
      i % 2 === 0
        ? client.chat.completions.create({ model: GPT_OSS, max_completion_tokens: 1_000, messages: [{ role: "user", content: "Hi" }], emulator } as any)
        : client.responses.create({ model: GPT_OSS, max_output_tokens: 1_000, input: "Hi", emulator } as any),
    );
    const settled = await Promise.allSettled(calls);
    const served = settled.filter((s) => s.status === "fulfilled").length;
    const refused = settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
    expect(refused.every((e) => e instanceof OpenAI.PermissionDeniedError && /budget/i.test(e.message))).toBe(true);
    expect(served).toBeGreaterThanOrEqual(2);
    expect(served).toBeLessThanOrEqual(4);

    let spent = 0;
    await expect
      .poll(async () => {
        const rows = (await admin(`/spend/logs?api_key=${funded.token}&page_size=100`)).data as { status: number; spend: number | null }[];
        spent = rows.reduce((sum, r) => sum + (r.spend ?? 0), 0);
        return rows.filter((r) => r.status === 200).length;
      })
      .toBe(served);
    expect(spent).toBeLessThanOrEqual(budget + oneCall);
  });

  describe("the openai SDK's own Bedrock entry points", () => {
    /** Chat, a response and a stream, checked against what the emulator says it answers, and each call's spend row. */
    const exercise = async (client: OpenAI, alias: string) => {
      const chat = { model: GPT_OSS, messages: [{ role: "user" as const, content: "Hello from a Bedrock entry point" }] };
      const { data: completion, response } = await client.chat.completions.create(chat).withResponse();
      expect(completion.choices[0]!.message.content).toBe(expectedUsage(chat, "CreateChatCompletion").replyText);
      expect(await rowOf(response)).toMatchObject({ operation: "CreateChatCompletion", key_alias: alias, status: 200, usage_source: "openai-usage" });

      const input = { model: GPT_OSS, input: "Say hello" };
      const answer = await client.responses.create(input);
      expect(answer.output_text).toBe(expectedUsage(input, "CreateResponse").replyText);

      const stream = await client.chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } }).withResponse();
      let text = "";
      for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe(completion.choices[0]!.message.content);
      expect(await rowOf(stream.response)).toMatchObject({ operation: "CreateChatCompletion", key_alias: alias, usage_source: "openai-stream-usage", usage_complete: true });
    };

    it("BedrockOpenAI (openai/bedrock), configured only as its environment variables would: base URL and bearer key", async () => {
      const client = new BedrockOpenAI({ baseURL: stack.bedrockUrl + "/openai/v1", apiKey: key.key, maxRetries: 0 });
      await exercise(client, "openai-sdk");
    });

    it("bedrock() (openai/providers/bedrock/aws) with endpoint runtime, signing SigV4 for bedrock with a gateway-issued pair", async () => {
      const pair = await admin("/key/generate", { key_alias: "openai-sigv4", models: ["openai.gpt-oss-20b-*"], aws_credentials: true });
      expect(pair.aws_access_key_id, JSON.stringify(pair)).toBeTruthy();
      const provider = bedrock({ endpoint: "runtime", baseURL: stack.bedrockUrl + "/openai/v1", region: "us-east-1", accessKeyId: pair.aws_access_key_id, secretAccessKey: pair.aws_secret_access_key });
      const client = new OpenAI({ provider, maxRetries: 0 });
      await exercise(client, "openai-sigv4");
      // The gateway verified the client's signature and signed anew; neither the pair nor its signature went upstream.
      const sent = JSON.stringify(stack.emulator.requests.map((r) => r.headers));
      expect(sent).not.toContain(pair.aws_access_key_id);
      expect(stack.emulator.requests.at(-1)).toMatchObject({ verified: true });

      // The Mantle endpoint mode signs for service bedrock-mantle: accepted on these routes too (the gateway re-signs).
      const mantle = new OpenAI({ provider: bedrock({ endpoint: "mantle", baseURL: stack.bedrockUrl + "/openai/v1", region: "us-east-1", accessKeyId: pair.aws_access_key_id, secretAccessKey: pair.aws_secret_access_key }), maxRetries: 0 });
      const viaMantle = await mantle.chat.completions.create({ model: GPT_OSS, messages: [{ role: "user", content: "Hi" }] });
      expect(viaMantle.choices[0]!.message.content).toBe("Hello from the Bedrock emulator.");

      // The pair's models list holds as for a bearer key.
      const denied = await client.chat.completions.create({ model: GPT_OSS_BIG, messages: [{ role: "user", content: "Hi" }] }).catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    });
  });

  it("metrics count the OpenAI-compatible operations by name", async () => {
    const metrics = await (await fetch(stack.gateway.url + "/metrics")).text();
    expect(metrics).toMatch(/bedrock_gateway_requests_total\{[^}]*operation="CreateChatCompletion"/);
    expect(metrics).toMatch(/bedrock_gateway_requests_total\{[^}]*operation="CreateResponse"/);
  });
});
