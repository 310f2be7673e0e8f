import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedUsage, startEmulator, type RunningEmulator } from "../src/index.ts";
import { signedFetch } from "./helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const VERSION = { "anthropic-version": "2023-06-01" };
const message = (extra: Record<string, unknown> = {}) => ({ model: HAIKU, max_tokens: 100, messages: [{ role: "user", content: "one two three" }], ...extra });
const post = (body: unknown, headers: Record<string, string> = VERSION) => signedFetch(emu.url, { path: "/anthropic/v1/messages", body: JSON.stringify(body), headers });
/** Named server-sent events → [name, data]. */
const eventsOf = async (res: Response) =>
  (await res.text())
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      const [name, data] = e.split("\n");
      return [name!.slice("event: ".length), JSON.parse(data!.slice("data: ".length))] as const;
    });

describe("bedrock-runtime's Anthropic Messages API", () => {
  test("a message, SigV4 verified, usage with cache tokens apart from input; a tampered body is refused", async () => {
    const body = message({ emulator: { usage: { cacheReadInputTokens: 7, cacheWriteInputTokens: 5, cacheWrite1hInputTokens: 2 } } });
    const res = await post(body);
    expect(res.status).toBe(200);
    const answer = await res.json();
    const expected = expectedUsage(body, "CreateMessage");
    expect(answer).toMatchObject({ type: "message", role: "assistant", model: HAIKU, stop_reason: "end_turn", content: [{ type: "text", text: expected.replyText }] });
    expect(answer.usage).toEqual({
      input_tokens: expected.inputTokens,
      output_tokens: expected.outputTokens,
      cache_read_input_tokens: 7,
      cache_creation_input_tokens: 5,
      cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 2 },
    });

    const tampered = await signedFetch(emu.url, { path: "/anthropic/v1/messages", body: JSON.stringify(body), headers: VERSION }, (r) => (r.body = JSON.stringify(message({ max_tokens: 1 }))));
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
  });

  test("an API version is required, as a header or as anthropic_version in the body; so are model and max_tokens", async () => {
    const noVersion = await post(message(), {});
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).message).toContain("anthropic-version");
    expect((await post(message({ anthropic_version: "bedrock-2023-05-31" }), {})).status).toBe(200);
    expect((await post({ model: HAIKU, messages: [{ role: "user", content: "Hi" }] })).status).toBe(400);
    expect((await post({ max_tokens: 10, messages: [{ role: "user", content: "Hi" }] })).status).toBe(400);
  });

  test("streamed as named events: message_start with input and cache tokens, deltas, message_delta with the output count", async () => {
    const body = message({ stream: true, emulator: { replyWords: 3, usage: { cacheReadInputTokens: 4 } } });
    const res = await post(body);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = await eventsOf(res);
    expect(events.map(([name]) => name)).toEqual(["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    for (const [name, data] of events) expect(data.type).toBe(name);
    const expected = expectedUsage(body, "CreateMessage");
    expect(events[0]![1].message.usage).toMatchObject({ input_tokens: expected.inputTokens, cache_read_input_tokens: 4, output_tokens: 1 });
    expect(events.filter(([name]) => name === "content_block_delta").map(([, d]) => d.delta.text).join("")).toBe(expected.replyText);
    expect(events[7]![1]).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: 3 } });
  });

  test("a failure mid-stream is an error event, Anthropic-shaped", async () => {
    const res = await post(message({ stream: true, emulator: { failAfterEvents: 2 } }));
    const events = await eventsOf(res);
    expect(events.at(-1)).toEqual(["error", { type: "error", error: { type: "api_error", message: expect.any(String) } }]);
  });

  test("tool use: the tool is called with a schema-shaped input, and the tool_result is answered", async () => {
    const tools = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const first = await (await post(message({ tools }))).json();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content[0]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "emulator" } });
    const second = await (
      await post(
        message({
          tools,
          messages: [
            { role: "user", content: "Weather?" },
            { role: "assistant", content: first.content },
            { role: "user", content: [{ type: "tool_result", tool_use_id: first.content[0].id, content: "sunny" }] },
          ],
        }),
      )
    ).json();
    expect(second.stop_reason).toBe("end_turn");
  });
});
