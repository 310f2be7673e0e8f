import { ConverseCommand, ConverseStreamCommand, ValidationException, type Message } from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/index.ts";
import { runtimeClient, signedFetch } from "./helpers.ts";

let emu: RunningEmulator;
let client: ReturnType<typeof runtimeClient>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = runtimeClient(emu.url, { maxAttempts: 1 });
});
afterAll(() => emu.close());

const MODEL = "amazon.nova-lite-v1:0";
const user = (text: string): Message => ({ role: "user", content: [{ text }] });
const assistant = (text: string): Message => ({ role: "assistant", content: [{ text }] });

/** Posts a raw Converse body, signed as an SDK would sign it. */
async function rawConverse(body: string) {
  const res = await signedFetch(emu.url, { path: `/model/${encodeURIComponent(MODEL)}/converse`, body });
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
    const res = await rawConverse(body);
    expect({ status: res.status, type: res.type, message: res.message }).toEqual({ status: 400, type: "ValidationException", message });
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
