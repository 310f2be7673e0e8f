import { describe, expect, it } from "vitest";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { feed, json, oneByteChunks, splitAt, upstreamError } from "./frames.ts";

const sse = new Headers({ "content-type": "text/event-stream; charset=utf-8" });
const utf8 = (text: string) => new TextEncoder().encode(text);
const chatChunk = (fields: Record<string, unknown>) => `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [], ...fields })}\n\n`;
const chatStream = utf8(
  chatChunk({ choices: [{ index: 0, delta: { content: "Hi" } }], usage: null }) +
    chatChunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: null }) +
    chatChunk({ usage: { prompt_tokens: 30, completion_tokens: 7, total_tokens: 37, prompt_tokens_details: { cached_tokens: 10 } } }) +
    "data: [DONE]\n\n",
);

describe("OpenAI-compatible usage", () => {
  it("a chat completion's usage, cache reads taken out of the input as Bedrock bills them", () => {
    const meter = createUsageMeter("openai-chat", { modelId: "openai.gpt-oss-20b-1:0", status: 200, headers: new Headers({ "content-type": "application/json" }) });
    expect(feed(meter, [json({ choices: [], usage: { prompt_tokens: 30, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 10 } } })])).toEqual({
      inputTokens: 20,
      outputTokens: 7,
      cacheReadInputTokens: 10,
      cacheWriteInputTokens: 0,
      source: "openai-usage",
      complete: true,
    });
  });

  it.each([
    ["one chunk", [chatStream]],
    ["1-byte chunks", oneByteChunks(chatStream)],
    ["split inside lines", splitAt(chatStream, [5, 40, 41, 90, 200])],
  ])("reads the usage chunk of a server-sent-event stream (%s)", (_, chunks) => {
    const meter = createUsageMeter("openai-chat", { modelId: null, status: 200, headers: sse });
    expect(feed(meter, chunks)).toMatchObject({ inputTokens: 20, outputTokens: 7, cacheReadInputTokens: 10, source: "openai-stream-usage", complete: true });
  });

  it("the Responses stream's response.completed event", () => {
    const events = utf8(
      `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hi"}\n\n` +
        `event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", response: { usage: { input_tokens: 12, output_tokens: 3, input_tokens_details: { cached_tokens: 0 } } } })}\n\n`,
    );
    const meter = createUsageMeter("openai-responses", { modelId: null, status: 200, headers: sse });
    expect(feed(meter, splitAt(events, [17, 60]))).toMatchObject({ inputTokens: 12, outputTokens: 3, source: "openai-stream-usage", complete: true });
  });

  it("a stream without usage, or cut before it, is incomplete and says why", () => {
    const noUsage = utf8(chatChunk({ choices: [{ index: 0, delta: { content: "Hi" } }] }) + "data: [DONE]\n\n");
    const meter = createUsageMeter("openai-chat", { modelId: null, status: 200, headers: sse });
    expect(feed(meter, [noUsage])).toMatchObject({ complete: false, note: expect.stringContaining("include_usage") });

    const cut = createUsageMeter("openai-chat", { modelId: null, status: 200, headers: sse });
    expect(feed(cut, [chatStream.subarray(0, 60)], upstreamError)).toMatchObject({ complete: false, note: expect.stringContaining("upstream stream failed") });
  });

  it("an error event in the stream is named in the note", () => {
    const failed = utf8(`data: ${JSON.stringify({ error: { message: "model overloaded", type: "api_error" } })}\n\n`);
    const meter = createUsageMeter("openai-chat", { modelId: null, status: 200, headers: sse });
    expect(feed(meter, [failed])).toMatchObject({ complete: false, note: expect.stringContaining("model overloaded") });
  });

  it("error answers are not metered", () => {
    expect(feed(createUsageMeter("openai-chat", { modelId: null, status: 403, headers: sse }), [utf8("{}")])).toBeNull();
  });
});

describe("Anthropic Messages usage", () => {
  const named = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const start = named("message_start", {
    type: "message_start",
    message: { id: "m", type: "message", role: "assistant", content: [], usage: { input_tokens: 25, cache_read_input_tokens: 40, cache_creation_input_tokens: 12, cache_creation: { ephemeral_5m_input_tokens: 8, ephemeral_1h_input_tokens: 4 }, output_tokens: 1 } },
  });
  const deltas = named("ping", { type: "ping" }) + named("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }) + named("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } });
  const end = named("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 17 } }) + named("message_stop", { type: "message_stop" });
  const stream = utf8(start + deltas + end);

  it("a message's usage: cache reads and writes apart from the input, the 1-hour writes named", () => {
    const meter = createUsageMeter("anthropic-messages", { modelId: "anthropic.claude-3-haiku-20240307-v1:0", status: 200, headers: new Headers({ "content-type": "application/json" }) });
    const usage = { input_tokens: 25, output_tokens: 7, cache_read_input_tokens: 40, cache_creation_input_tokens: 12, cache_creation: { ephemeral_5m_input_tokens: 8, ephemeral_1h_input_tokens: 4 } };
    expect(feed(meter, [json({ type: "message", content: [], usage })])).toEqual({
      inputTokens: 25,
      outputTokens: 7,
      cacheReadInputTokens: 40,
      cacheWriteInputTokens: 12,
      cacheWrite1hInputTokens: 4,
      source: "anthropic-usage",
      complete: true,
    });
  });

  it.each([
    ["one chunk", [stream]],
    ["1-byte chunks", oneByteChunks(stream)],
    ["split inside events", splitAt(stream, [7, 30, 31, 250, 400])],
  ])("a stream: input and cache tokens from message_start, the cumulative output from message_delta (%s)", (_, chunks) => {
    const meter = createUsageMeter("anthropic-messages", { modelId: null, status: 200, headers: sse });
    expect(feed(meter, chunks)).toEqual({ inputTokens: 25, outputTokens: 17, cacheReadInputTokens: 40, cacheWriteInputTokens: 12, cacheWrite1hInputTokens: 4, source: "anthropic-stream-usage", complete: true });
  });

  it("a stream cut before message_delta is a lower bound that says so; an error event is named", () => {
    const cut = createUsageMeter("anthropic-messages", { modelId: null, status: 200, headers: sse });
    expect(feed(cut, [utf8(start + deltas)], upstreamError)).toMatchObject({ inputTokens: 25, outputTokens: 1, complete: false, note: expect.stringContaining("before its message_delta usage") });

    const failed = createUsageMeter("anthropic-messages", { modelId: null, status: 200, headers: sse });
    const error = named("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(feed(failed, [utf8(start + deltas + error)])).toMatchObject({ inputTokens: 25, complete: false, note: expect.stringContaining("Overloaded") });
  });

  it("the final usage stays final if the connection breaks after message_delta", () => {
    const meter = createUsageMeter("anthropic-messages", { modelId: null, status: 200, headers: sse });
    expect(feed(meter, [utf8(start + deltas + end)], upstreamError)).toMatchObject({ outputTokens: 17, complete: true });
  });
});
