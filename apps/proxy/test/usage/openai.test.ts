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
