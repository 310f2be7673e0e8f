import { describe, expect, it } from "vitest";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { eventFrame, exceptionFrame, feed, json, ok, splitAt, splitPlans, upstreamError } from "./frames.ts";

const MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

const converseBody = {
  output: { message: { role: "assistant", content: [{ text: "Hello" }] } },
  stopReason: "end_turn",
  usage: { inputTokens: 1200, outputTokens: 340, totalTokens: 1540, cacheReadInputTokens: 800, cacheWriteInputTokens: 64 },
  metrics: { latencyMs: 912 },
};

describe("Converse", () => {
  it("reads usage, cache tokens included, from a body split anywhere", () => {
    const bytes = json(converseBody);
    const usage = feed(createUsageMeter("converse", { modelId: MODEL, ...ok() }), splitAt(bytes, [1, 17, 60]));
    expect(usage).toEqual({ inputTokens: 1200, outputTokens: 340, cacheReadInputTokens: 800, cacheWriteInputTokens: 64, source: "converse-body", complete: true });
  });

  it("adds guardrail units from a guardrail trace", () => {
    const assessment = (units: number) => ({ invocationMetrics: { usage: { contentPolicyUnits: units, topicPolicyUnits: units, wordPolicyUnits: 0, sensitiveInformationPolicyUnits: 1, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 } } });
    const body = { ...converseBody, trace: { guardrail: { inputAssessment: { g1: assessment(2) }, outputAssessments: { g1: [assessment(1), assessment(1)] } } } };
    const usage = feed(createUsageMeter("converse", { modelId: MODEL, ...ok() }), [json(body)]);
    expect(usage?.guardrailUnits).toMatchObject({ content: 4, topic: 4, sensitiveInformation: 3, word: 0 });
  });

  it("is unreadable, not zero, when the body is cut, too big, compressed or not JSON", () => {
    const bytes = json(converseBody);
    expect(feed(createUsageMeter("converse", { modelId: MODEL, ...ok() }), [bytes.subarray(0, 40)], upstreamError)).toMatchObject({ source: "unreadable", complete: false, note: expect.stringContaining("connection reset") });
    expect(feed(createUsageMeter("converse", { modelId: MODEL, ...ok(), maxBodyBytes: 64 }), [bytes])).toMatchObject({ source: "unreadable", note: expect.stringContaining("64-byte metering cap") });
    expect(feed(createUsageMeter("converse", { modelId: MODEL, ...ok({ "content-encoding": "gzip" }) }), [bytes])).toMatchObject({ source: "unreadable", note: expect.stringContaining("gzip") });
    expect(feed(createUsageMeter("converse", { modelId: MODEL, ...ok() }), [json("nope").subarray(1)])).toMatchObject({ source: "unreadable", note: expect.stringContaining("not JSON") });
    expect(feed(createUsageMeter("converse", { modelId: MODEL, ...ok() }), [json({ output: {} })])).toMatchObject({ source: "unreadable", note: "the Converse response had no usage" });
  });

  it("meters only 2xx responses", () => {
    const meter = createUsageMeter("converse", { modelId: MODEL, status: 429, headers: new Headers() });
    expect(feed(meter, [json({ message: "Too many requests" })])).toBeNull();
  });
});

describe("ConverseStream", () => {
  const metadata = { usage: { inputTokens: 25, outputTokens: 17, totalTokens: 42, cacheReadInputTokens: 5, cacheWriteInputTokens: 3 }, metrics: { latencyMs: 300 } };
  const frames = [
    eventFrame("messageStart", { role: "assistant" }),
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hel" } }),
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "lo" } }),
    eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
    eventFrame("messageStop", { stopReason: "end_turn" }),
    eventFrame("metadata", metadata),
  ];

  for (const [plan, chunks] of Object.entries(splitPlans(frames))) {
    it(`reads the metadata event when split as ${plan}`, () => {
      const usage = feed(createUsageMeter("converse-stream", { modelId: MODEL, ...ok() }), chunks);
      expect(usage).toEqual({ inputTokens: 25, outputTokens: 17, cacheReadInputTokens: 5, cacheWriteInputTokens: 3, source: "stream-metadata", complete: true });
    });
  }

  it("a stream cut before metadata reports no number as final", () => {
    const usage = feed(createUsageMeter("converse-stream", { modelId: MODEL, ...ok() }), frames.slice(0, 2), upstreamError);
    expect(usage).toMatchObject({ inputTokens: 0, outputTokens: 0, source: "stream-metadata", complete: false });
    expect(usage?.note).toMatch(/before the metadata event.*upstream stream failed/);
  });

  it("notes an exception frame", () => {
    const usage = feed(createUsageMeter("converse-stream", { modelId: MODEL, ...ok() }), [...frames.slice(0, 3), exceptionFrame("modelStreamErrorException", "x")]);
    expect(usage).toMatchObject({ complete: false, note: expect.stringContaining("modelStreamErrorException") });
  });

  it("keeps metadata read before the connection broke as final", () => {
    const usage = feed(createUsageMeter("converse-stream", { modelId: MODEL, ...ok() }), frames, { kind: "client-cancel" });
    expect(usage).toMatchObject({ inputTokens: 25, complete: true });
  });
});
