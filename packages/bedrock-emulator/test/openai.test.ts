import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedUsage, startEmulator, type RunningEmulator } from "../src/index.ts";
import { signedFetch } from "./helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

const chat = (extra: Record<string, unknown> = {}) => ({ model: "openai.gpt-oss-20b-1:0", messages: [{ role: "user", content: "one two three" }], ...extra });

describe("bedrock-runtime's OpenAI-compatible API", () => {
  test("chat completions, SigV4 verified; a tampered body is refused", async () => {
    const body = chat();
    const res = await signedFetch(emu.url, { path: "/openai/v1/chat/completions", body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const answer = await res.json();
    const expected = expectedUsage(body, "CreateChatCompletion");
    expect(answer.choices[0].message.content).toBe(expected.replyText);
    expect(answer.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });

    const tampered = await signedFetch(emu.url, { path: "/openai/v1/chat/completions", body: JSON.stringify(body) }, (r) => (r.body = JSON.stringify(chat({ model: "other" }))));
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
  });

  test("streamed as server-sent events: deltas, usage only when asked, then [DONE]", async () => {
    const body = chat({ stream: true, stream_options: { include_usage: true }, emulator: { usage: { cacheReadInputTokens: 4 } } });
    const res = await signedFetch(emu.url, { path: "/openai/v1/chat/completions", body: JSON.stringify(body) });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = (await res.text()).split("\n\n").filter(Boolean).map((e) => e.slice("data: ".length));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(expectedUsage(body, "CreateChatCompletion").replyText);
    // OpenAI's prompt_tokens include cache reads.
    const inputTokens = expectedUsage(body, "CreateChatCompletion").inputTokens;
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: inputTokens + 4, prompt_tokens_details: { cached_tokens: 4 } });
  });

  test("responses: output text, and named events ending with response.completed", async () => {
    const body = { model: "openai.gpt-oss-20b-1:0", input: "one two", stream: true };
    const res = await signedFetch(emu.url, { path: "/openai/v1/responses", body: JSON.stringify(body) });
    const events = (await res.text()).split("\n\n").filter(Boolean);
    expect(events[0]!.startsWith("event: response.created\n")).toBe(true);
    const completed = JSON.parse(events.at(-1)!.split("\ndata: ")[1]!);
    expect(completed.type).toBe("response.completed");
    expect(completed.response.usage.input_tokens).toBe(expectedUsage(body, "CreateResponse").inputTokens);
  });
});
