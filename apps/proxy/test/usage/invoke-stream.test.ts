import { describe, expect, it } from "vitest";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { chunkFrame, eventFrame, exceptionFrame, feed, ok, splitPlans, upstreamError } from "./frames.ts";

const metrics = (input: number, output: number) => ({ "amazon-bedrock-invocationMetrics": { inputTokenCount: input, outputTokenCount: output, invocationLatency: 900, firstByteLatency: 200 } });

const anthropicChunks = [
  { type: "message_start", message: { id: "m", role: "assistant", usage: { input_tokens: 120, output_tokens: 1, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0 } } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "lo" } },
  { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 42 } },
  { type: "message_stop", ...metrics(120, 42) },
];
const MODEL = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
const meter = (modelId: string | null = MODEL) => createUsageMeter("invoke-stream", { modelId, ...ok() });

describe("InvokeModelWithResponseStream", () => {
  for (const [plan, chunks] of Object.entries(splitPlans(anthropicChunks.map(chunkFrame)))) {
    it(`prefers amazon-bedrock-invocationMetrics when split as ${plan}`, () => {
      expect(feed(meter(), chunks)).toEqual({ inputTokens: 120, outputTokens: 42, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "invocation-metrics", complete: true });
    });
  }

  it("a stream cut after 2 of 5 chunks keeps what was used up to the cut", () => {
    const usage = feed(meter(), anthropicChunks.slice(0, 2).map(chunkFrame), upstreamError);
    expect(usage).toMatchObject({ inputTokens: 120, outputTokens: 1, cacheReadInputTokens: 1000, source: "stream-body", complete: false });
    expect(usage?.note).toMatch(/upstream stream failed/);
  });

  it("result() mid-stream returns what was seen so far", () => {
    const m = meter();
    for (const f of anthropicChunks.slice(0, 4).map(chunkFrame)) m.chunk(f);
    expect(m.result()).toMatchObject({ inputTokens: 120, outputTokens: 42, complete: false });
  });

  it("falls back to the family's fields without invocation metrics", () => {
    const withoutMetrics = anthropicChunks.map(({ ["amazon-bedrock-invocationMetrics"]: _, ...c }: Record<string, unknown>) => c);
    expect(feed(meter(), withoutMetrics.map(chunkFrame))).toMatchObject({ inputTokens: 120, outputTokens: 42, cacheReadInputTokens: 1000, source: "stream-body" });
  });

  const familyStreams: [string, string, unknown[], [number, number]][] = [
    ["llama", "meta.llama3-3-70b-instruct-v1:0", [{ generation: "a", prompt_token_count: 30, generation_token_count: 1 }, { generation: "b", prompt_token_count: null, generation_token_count: 2 }, { generation: "c", prompt_token_count: null, generation_token_count: 3 }], [30, 3]],
    ["titan", "amazon.titan-text-lite-v1", [{ outputText: "a", index: 0, inputTextTokenCount: 9, totalOutputTextTokenCount: 4 }, { outputText: "b", index: 0, totalOutputTextTokenCount: 8, completionReason: "FINISH" }], [9, 8]],
    ["nova", "eu.amazon.nova-lite-v1:0", [{ messageStart: { role: "assistant" } }, { contentBlockDelta: { delta: { text: "a" } } }, { metadata: { usage: { inputTokens: 14, outputTokens: 6 } } }], [14, 6]],
    ["cohere", "cohere.command-r-v1:0", [{ event_type: "text-generation", text: "a", is_finished: false }, { event_type: "stream-end", is_finished: true, response: { meta: { billed_units: { input_tokens: 50, output_tokens: 5 } } } }], [50, 5]],
    ["mistral chat", "mistral.mistral-large-2407-v1:0", [{ choices: [{ delta: { content: "a" } }] }, { choices: [{ delta: {} , stop_reason: "stop" }], usage: { prompt_tokens: 8, completion_tokens: 2 } }], [8, 2]],
  ];
  for (const [name, modelId, chunks, [input, output]] of familyStreams) {
    it(`reads ${name} stream usage when metrics are absent`, () => {
      expect(feed(meter(modelId), chunks.map(chunkFrame))).toMatchObject({ inputTokens: input, outputTokens: output, source: "stream-body" });
    });
  }

  it("reads any known shape for an ARN model", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/p1";
    expect(feed(meter(arn), [chunkFrame({ generation: "a", prompt_token_count: 3, generation_token_count: 1 })], upstreamError)).toMatchObject({ inputTokens: 3, outputTokens: 1, complete: false });
  });

  it("notes an exception frame and keeps partial counts", () => {
    const usage = feed(meter(), [...anthropicChunks.slice(0, 2).map(chunkFrame), exceptionFrame("modelStreamErrorException", "x")]);
    expect(usage).toMatchObject({ inputTokens: 120, complete: false, note: expect.stringContaining("modelStreamErrorException") });
  });

  it("a bad chunk payload makes the rest unreadable without throwing", () => {
    const m = meter();
    expect(() => m.chunk(chunkFrame(anthropicChunks[0]))).not.toThrow();
    expect(() => m.chunk(eventFrame("chunk", { bytes: "%%%not base64" }))).not.toThrow();
    m.end({ kind: "complete" });
    expect(m.result()).toMatchObject({ inputTokens: 120, complete: false, note: expect.stringContaining("unreadable") });
  });

  it("garbage bytes give source unreadable", () => {
    const usage = feed(meter(), [new TextEncoder().encode("this is not an event stream at all")]);
    expect(usage).toMatchObject({ source: "unreadable", complete: false });
  });
});
