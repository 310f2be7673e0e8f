import {
  ApplyGuardrailCommand,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ValidationException,
  type Message,
} from "@aws-sdk/client-bedrock-runtime";
import {
  InvokeAgentCommand,
  InvokeInlineAgentCommand,
  RetrieveAndGenerateCommand,
  RetrieveCommand,
  ValidationException as AgentValidationException,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/index.ts";
import { agentClient, runtimeClient, signedFetch } from "./helpers.ts";

let emu: RunningEmulator;
let client: ReturnType<typeof runtimeClient>;
let agent: ReturnType<typeof agentClient>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = runtimeClient(emu.url, { maxAttempts: 1 });
  agent = agentClient(emu.url, { maxAttempts: 1 });
});
afterAll(() => emu.close());

const MODEL = "amazon.nova-lite-v1:0";
const user = (text: string): Message => ({ role: "user", content: [{ text }] });
const assistant = (text: string): Message => ({ role: "assistant", content: [{ text }] });

/** Posts a raw Converse (or ConverseStream) body, signed as an SDK would sign it. */
async function rawConverse(body: string, operation: "converse" | "converse-stream" = "converse") {
  const res = await signedFetch(emu.url, { path: `/model/${encodeURIComponent(MODEL)}/${operation}`, body });
  return { status: res.status, headers: res.headers, type: res.headers.get("x-amzn-errortype"), message: ((await res.json()) as { message?: string }).message };
}

describe("Converse bodies Bedrock refuses, refused with Bedrock's ValidationException and wording", () => {
  test.each([
    ["an empty body", "", "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null"],
    ["{}", "{}", "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null"],
    ["a body that is not JSON", "{messages: [", "Malformed input request, please reformat your input and try again."],
    ["a JSON array", "[]", "Malformed input request, please reformat your input and try again."],
    ["messages as a string", '{"messages": "hello"}', "Malformed input request, please reformat your input and try again."],
    ["content as a string", '{"messages": [{"role": "user", "content": "hello"}]}', "Malformed input request, please reformat your input and try again."],
  ])("%s", async (_label, body, message) => {
    for (const operation of ["converse", "converse-stream"] as const) {
      const res = await rawConverse(body, operation);
      expect({ operation, status: res.status, type: res.type, message: res.message }).toEqual({ operation, status: 400, type: "ValidationException", message });
    }
  });

  test.each([
    ["no messages at all", [], "A conversation must start with a user message. Try again with a conversation that starts with a user message."],
    ["an assistant first", [assistant("hi"), user("hello")], "A conversation must start with a user message. Try again with a conversation that starts with a user message."],
    ["two user messages in a row", [user("a"), user("b")], "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again."],
    ["an empty content list", [{ role: "user", content: [] }], "The content field in the Message object at messages.0 is empty. Add a ContentBlock object to the content field and try again."],
    ["a blank text", [user("hi"), assistant("yes"), user("  ")], "The text field in the ContentBlock object at messages.2.content.0 is blank. Add text to the text field, and try again."],
  ] as [string, Message[], string][])("through the SDK: %s", async (_label, messages, message) => {
    const errors = [
      await client.send(new ConverseCommand({ modelId: MODEL, messages })).catch((e: unknown) => e),
      await client.send(new ConverseStreamCommand({ modelId: MODEL, messages })).catch((e: unknown) => e),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).message).toBe(message);
      expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
    }
  });

  test("the API model's constraints are reported together, list members counted from 1", async () => {
    const error = await client
      .send(new ConverseCommand({ modelId: MODEL, messages: [user("hi"), { role: "system" as never, content: [{ text: "x" }] }], inferenceConfig: { maxTokens: 0, temperature: 2 } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toBe(
      "3 validation errors detected: " +
        "Value 'system' at 'messages.2.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]; " +
        "Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '2.0' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1",
    );
  });

  test("what Bedrock accepts still passes: alternating turns, non-text blocks, a conversation ending on the assistant", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [user("look"), { role: "assistant", content: [{ text: "ok" }, { toolUse: { toolUseId: "t1", name: "f", input: {} } }] }, { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "42" }] } }] }],
        inferenceConfig: { maxTokens: 1, temperature: 1, topP: 0 },
      }),
    );
    expect(out.stopReason).toBe("end_turn");
  });

  test("a refused request is recorded with its reason", async () => {
    emu.reset();
    await rawConverse("{}");
    expect(emu.requests).toEqual([expect.objectContaining({ operation: "Converse", verified: true, error: expect.stringMatching(/^ValidationException: 1 validation error detected/) })]);
  });
});

/** What the SDK raises for an InvokeModel and an InvokeModelWithResponseStream call with this native body. */
async function invokeErrors(modelId: string, native: Record<string, unknown>) {
  const body = JSON.stringify(native);
  return [
    await client.send(new InvokeModelCommand({ modelId, body, contentType: "application/json" })).catch((e: unknown) => e),
    await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body, contentType: "application/json" })).catch((e: unknown) => e),
  ];
}

const malformed = (schemaErrors: string) => `Malformed input request: ${schemaErrors}, please reformat your input and try again.`;
const hi = [{ role: "user", content: [{ type: "text", text: "hi" }] }];

describe("InvokeModel bodies Bedrock refuses, per model family, with its wording", () => {
  test.each([
    [
      "Anthropic Messages without anthropic_version",
      "anthropic.claude-3-haiku-20240307-v1:0",
      { max_tokens: 10, messages: hi },
      malformed('#: subject must not be valid against schema {"required":["messages"]}#: required key [anthropic_version] not found'),
    ],
    [
      "a Converse body sent to Claude",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      { messages: [{ role: "user", content: [{ text: "hi" }] }], inferenceConfig: { maxTokens: 10 } },
      malformed('#: subject must not be valid against schema {"required":["messages"]}#: required key [max_tokens] not found#: required key [anthropic_version] not found#: extraneous key [inferenceConfig] is not permitted'),
    ],
    [
      "an empty object sent to Claude",
      "anthropic.claude-3-haiku-20240307-v1:0",
      {},
      malformed("#: required key [max_tokens] not found#: required key [anthropic_version] not found#: required key [messages] not found"),
    ],
    [
      "a text-completion prompt sent to Claude 3",
      "anthropic.claude-3-haiku-20240307-v1:0",
      { prompt: "\n\nHuman: hi\n\nAssistant:", max_tokens_to_sample: 10 },
      '"claude-3-haiku-20240307" is not supported on this API. Please use the Messages API instead.',
    ],
    [
      "a text completion without max_tokens_to_sample to Claude 2",
      "anthropic.claude-v2:1",
      { prompt: "\n\nHuman: hi\n\nAssistant:" },
      malformed("#: required key [max_tokens_to_sample] not found"),
    ],
    ["Nova without messages", "amazon.nova-lite-v1:0", { inputText: "hi" }, malformed("#: required key [messages] not found#: extraneous key [inputText] is not permitted")],
    [
      "an Anthropic body sent to Nova",
      "us.amazon.nova-pro-v1:0",
      { anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [{ role: "user", content: [{ text: "hi" }] }] },
      malformed("#: extraneous key [anthropic_version] is not permitted#: extraneous key [max_tokens] is not permitted"),
    ],
    [
      "a Nova message with text in place of content",
      "amazon.nova-micro-v1:0",
      { messages: [{ role: "user", text: "hi" }] },
      malformed("#/messages/0: required key [content] not found#/messages/0: extraneous key [text] is not permitted"),
    ],
    ["Titan Text without inputText", "amazon.titan-text-express-v1", { prompt: "hi" }, malformed("#: required key [inputText] not found#: extraneous key [prompt] is not permitted")],
    ["Titan Embeddings without inputText", "amazon.titan-embed-text-v2:0", { texts: ["hi"] }, malformed("#: required key [inputText] not found#: extraneous key [texts] is not permitted")],
    ["messages sent to Llama", "meta.llama3-8b-instruct-v1:0", { messages: hi }, malformed("#: required key [prompt] not found#: extraneous key [messages] is not permitted")],
    ["a Titan body sent to Mistral 7B", "mistral.mistral-7b-instruct-v0:2", { inputText: "hi" }, malformed("#: required key [prompt] not found#: extraneous key [inputText] is not permitted")],
    ["top_k sent to Command R", "cohere.command-r-v1:0", { message: "hi", top_k: 5 }, malformed("#: extraneous key [top_k] is not permitted")],
  ] as [string, string, Record<string, unknown>, string][])("%s", async (_label, modelId, native, message) => {
    for (const error of await invokeErrors(modelId, native)) {
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).message).toBe(message);
      expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
    }
  });

  test("what each family accepts passes, the control object anywhere; an ARN hides the model, so its body is not judged", async () => {
    const accepted: [string, Record<string, unknown>][] = [
      ["anthropic.claude-3-haiku-20240307-v1:0", { anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: hi, thinking: { type: "disabled" }, emulator: { replyWords: 1 } }],
      ["anthropic.claude-v2:1", { prompt: "\n\nHuman: hi\n\nAssistant:", max_tokens_to_sample: 10 }],
      ["amazon.nova-lite-v1:0", { schemaVersion: "messages-v1", system: [{ text: "be brief" }], messages: [{ role: "user", content: [{ text: "hi" }] }], inferenceConfig: { maxTokens: 5 } }],
      ["mistral.mistral-large-2407-v1:0", { messages: [{ role: "user", content: "hi" }], max_tokens: 5 }],
      ["arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", { anything: true }],
      ["ai21.jamba-1-5-mini-v1:0", { messages: [{ role: "user", content: "hi" }] }],
    ];
    for (const [modelId, native] of accepted) {
      const out = await client.send(new InvokeModelCommand({ modelId, body: JSON.stringify(native), contentType: "application/json" }));
      expect(out.$metadata.httpStatusCode).toBe(200);
    }
  });
});

describe("other operations: the members their API model requires, reported as AWS reports them", () => {
  const expectValidation = (error: unknown, message: string) => {
    expect(error).toBeInstanceOf(AgentValidationException);
    expect((error as Error).message).toBe(message);
  };

  test("Retrieve without retrievalQuery", async () => {
    const error = await agent.send(new RetrieveCommand({ knowledgeBaseId: "KB12345678" } as never)).catch((e: unknown) => e);
    expectValidation(error, "1 validation error detected: Value null at 'retrievalQuery' failed to satisfy constraint: Member must not be null");
  });

  test("RetrieveAndGenerate with an input that has no text", async () => {
    const error = await agent.send(new RetrieveAndGenerateCommand({ input: {} } as never)).catch((e: unknown) => e);
    expectValidation(error, "1 validation error detected: Value null at 'input.text' failed to satisfy constraint: Member must not be null");
  });

  test("InvokeInlineAgent without a model or instruction: both reported", async () => {
    const error = await agent.send(new InvokeInlineAgentCommand({ sessionId: "s1", inputText: "hi" } as never)).catch((e: unknown) => e);
    expectValidation(
      error,
      "2 validation errors detected: Value null at 'foundationModel' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'instruction' failed to satisfy constraint: Member must not be null",
    );
  });

  test("ApplyGuardrail with a source outside its enum", async () => {
    const error = await client
      .send(new ApplyGuardrailCommand({ guardrailIdentifier: "g1", guardrailVersion: "1", source: "BOTH" as never, content: [{ text: { text: "hi" } }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toBe("1 validation error detected: Value 'BOTH' at 'source' failed to satisfy constraint: Member must satisfy enum value set: [INPUT, OUTPUT]");
  });

  test("InvokeAgent needs no inputText (optional in its API model; ignored when sessionState returns control results)", async () => {
    const out = await agent.send(new InvokeAgentCommand({ agentId: "L1RT58GYRW", agentAliasId: "MFPSBCXYTW", sessionId: "s1", sessionState: { sessionAttributes: { a: "b" } } }));
    for await (const _event of out.completion!) void _event;
    expect(out.$metadata.httpStatusCode).toBe(200);
  });
});

describe("each response header once", () => {
  test("an error carries one request id, the same in header and log", async () => {
    const res = await rawConverse("{}");
    const id = res.headers.get("x-amzn-requestid");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a success too", async () => {
    const res = await signedFetch(emu.url, { path: `/model/${encodeURIComponent(MODEL)}/converse`, body: JSON.stringify({ messages: [user("hi")] }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("content-type")).toBe("application/json");
    await res.body?.cancel();
  });
});
