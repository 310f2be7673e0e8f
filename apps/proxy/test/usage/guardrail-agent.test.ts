import { describe, expect, it } from "vitest";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { eventFrame, feed, json, ok, splitPlans, upstreamError } from "./frames.ts";

describe("ApplyGuardrail", () => {
  it("reads policy units", () => {
    const body = {
      action: "GUARDRAIL_INTERVENED",
      outputs: [{ text: "blocked" }],
      assessments: [],
      usage: { topicPolicyUnits: 2, contentPolicyUnits: 3, wordPolicyUnits: 1, sensitiveInformationPolicyUnits: 4, sensitiveInformationPolicyFreeUnits: 6, contextualGroundingPolicyUnits: 5, contentPolicyImageUnits: 1 },
    };
    const usage = feed(createUsageMeter("guardrail", { modelId: null, ...ok() }), [json(body)]);
    expect(usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      guardrailUnits: { content: 3, contentImage: 1, topic: 2, word: 1, sensitiveInformation: 4, sensitiveInformationFree: 6, contextualGrounding: 5, automatedReasoning: 0 },
      source: "guardrail-usage",
      complete: true,
    });
  });

  it("reads InvokeGuardrailChecks text units", () => {
    const body = { results: {}, usage: { contentFilter: { textUnits: 2 }, promptAttack: { textUnits: 1 }, sensitiveInformation: { textUnits: 3 } } };
    const usage = feed(createUsageMeter("guardrail", { modelId: null, ...ok() }), [json(body)]);
    expect(usage?.guardrailUnits).toMatchObject({ content: 3, sensitiveInformation: 3 });
  });
});

const trace = (step: string, part: Record<string, unknown>) => eventFrame("trace", { agentId: "A", agentAliasId: "B", sessionId: "s", trace: { [step]: part } });
const input = (traceId: string, model: string) => ({ modelInvocationInput: { traceId, type: "ORCHESTRATION", text: "...", foundationModel: model } });
const output = (traceId: string, inputTokens: number, outputTokens: number) => ({ modelInvocationOutput: { traceId, rawResponse: { content: "..." }, metadata: { usage: { inputTokens, outputTokens } } } });
const answer = eventFrame("chunk", { bytes: btoa("The answer") });

const SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const agentFrames = [
  trace("preProcessingTrace", input("t-pre", HAIKU)),
  trace("preProcessingTrace", output("t-pre", 100, 10)),
  trace("orchestrationTrace", input("t-1", SONNET)),
  trace("orchestrationTrace", output("t-1", 1000, 50)),
  trace("orchestrationTrace", { rationale: { traceId: "t-1", text: "thinking" } }),
  trace("orchestrationTrace", input("t-2", SONNET)),
  trace("orchestrationTrace", output("t-2", 1200, 80)),
  trace("postProcessingTrace", output("t-post", 30, 5)),
  answer,
];

describe("InvokeAgent", () => {
  for (const [plan, chunks] of Object.entries(splitPlans(agentFrames))) {
    it(`sums model usage across traces, per model, when split as ${plan}`, () => {
      const usage = feed(createUsageMeter("invoke-agent", { modelId: null, ...ok() }), chunks);
      expect(usage).toMatchObject({ inputTokens: 2330, outputTokens: 145, source: "agent-trace", complete: true });
      expect(usage?.byModel).toEqual([
        { modelId: HAIKU, inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
        { modelId: SONNET, inputTokens: 2200, outputTokens: 130, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
        { modelId: null, inputTokens: 30, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      ]);
    });
  }

  it("without traces says so", () => {
    const usage = feed(createUsageMeter("invoke-agent", { modelId: null, ...ok() }), [answer]);
    expect(usage).toMatchObject({ source: "not-exposed", complete: false, note: expect.stringContaining("enable trace") });
  });

  it("a cut agent stream keeps the traces seen", () => {
    const usage = feed(createUsageMeter("invoke-agent", { modelId: null, ...ok() }), agentFrames.slice(0, 4), upstreamError);
    expect(usage).toMatchObject({ inputTokens: 1100, outputTokens: 60, source: "agent-trace", complete: false });
  });
});
