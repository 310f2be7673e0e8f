import { describe, expect, it } from "vitest";
import { costOf } from "../../src/pricing/cost.ts";
import { buildPriceTable, loadPriceTable } from "../../src/pricing/price-table.ts";
import builtIn from "../../src/pricing/price-table.json" with { type: "json" };
import type { Usage } from "../../src/usage/types.ts";

const table = loadPriceTable();
const SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const tokens = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({ inputTokens: input, outputTokens: output, cacheReadInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite });
const usage = (u: Partial<Usage>): Usage => ({ ...tokens(0, 0), source: "converse-body", complete: true, ...u });
const cents = (usd: number | null) => (usd === null ? null : Math.round(usd * 100));

describe("costOf", () => {
  it("prices input, output, cache read and cache write per 1K tokens", () => {
    const p = builtIn.models[SONNET];
    const u = usage(tokens(123_456, 7_890, 50_000, 12_000));
    const expected = (123_456 / 1000) * p.input + (7_890 / 1000) * p.output + (50_000 / 1000) * p.cacheRead + (12_000 / 1000) * p.cacheWrite;
    const result = costOf(u, SONNET, "us-east-1", table);
    expect(result.pricedModel).toBe(SONNET);
    expect(result.warning).toBeUndefined();
    expect(cents(result.cost)).toBe(cents(expected));
    expect(result.cost).toBeCloseTo(expected, 9);
  });

  it("prices an inference profile id as its base model", () => {
    const u = usage(tokens(1000, 1000));
    expect(costOf(u, `us.${SONNET}`, "us-west-2", table)).toMatchObject({ pricedModel: SONNET, cost: builtIn.models[SONNET].input + builtIn.models[SONNET].output });
  });

  it("prices an application inference profile through the operator mapping", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a";
    const mapped = buildPriceTable({ applicationInferenceProfiles: { [arn]: HAIKU } });
    const u = usage({ ...tokens(4000, 2000), source: "invoke-headers" });
    const p = builtIn.models[HAIKU];
    expect(costOf(u, arn, "us-east-1", mapped)).toMatchObject({ pricedModel: HAIKU, cost: 4 * p.input + 2 * p.output });
    expect(costOf(u, arn, "us-east-1", table)).toMatchObject({ cost: null, warning: expect.stringContaining("no model mapping") });
  });

  it("uses region prices when the table has them", () => {
    const regional = buildPriceTable({ models: { [SONNET]: { regions: { "eu-west-3": { input: 0.004 } } } } });
    expect(costOf(usage(tokens(1000, 0)), SONNET, "eu-west-3", regional).cost).toBe(0.004);
  });

  it("an unknown model is null with a warning, never zero", () => {
    expect(costOf(usage(tokens(10, 10)), "acme.mystery-v1", "us-east-1", table)).toEqual({ cost: null, pricedModel: null, warning: "no price for model acme.mystery-v1" });
    expect(costOf(usage(tokens(10, 10)), null, "us-east-1", table)).toMatchObject({ cost: null });
  });

  it("CountTokens is free; unexposed and unreadable usage is null with the note", () => {
    expect(costOf(usage({ source: "free" }), HAIKU, "us-east-1", table).cost).toBe(0);
    const note = "Bedrock exposes no token usage for RetrieveAndGenerate";
    expect(costOf(usage({ source: "not-exposed", note, complete: false }), null, "us-east-1", table)).toEqual({ cost: null, pricedModel: null, warning: note });
    expect(costOf(usage({ source: "unreadable", note: "too big", complete: false }), HAIKU, "us-east-1", table)).toMatchObject({ cost: null, warning: "too big" });
  });

  it("partial usage is priced as a lower bound with a warning; unknown partial usage is null", () => {
    const partial = costOf(usage({ ...tokens(1000, 0), source: "stream-body", complete: false, note: "cut" }), HAIKU, "us-east-1", table);
    expect(partial).toMatchObject({ cost: builtIn.models[HAIKU].input, warning: expect.stringContaining("partial usage: cut") });
    expect(costOf(usage({ source: "stream-metadata", complete: false, note: "no metadata" }), HAIKU, "us-east-1", table)).toMatchObject({ cost: null, warning: expect.stringContaining("usage unknown") });
  });

  it("prices guardrail units per 1K units per policy", () => {
    const g = builtIn.guardrail;
    const units = { content: 1500, contentImage: 0, topic: 700, word: 300, sensitiveInformation: 250, sensitiveInformationFree: 90, contextualGrounding: 40, automatedReasoning: 0 };
    const expected = 1.5 * g.content + 0.7 * g.topic + 0.3 * g.word + 0.25 * g.sensitiveInformation + 0.04 * g.contextualGrounding;
    const result = costOf(usage({ guardrailUnits: units, source: "guardrail-usage" }), null, "us-east-1", table);
    expect(cents(result.cost)).toBe(cents(expected));
    expect(result.cost).toBeCloseTo(expected, 9);
    // Images through the content filter ($0.00075 each) and Automated Reasoning ($0.17 per 1,000 units per policy).
    const withImages = costOf(usage({ guardrailUnits: { ...units, contentImage: 4, automatedReasoning: 2000 }, source: "guardrail-usage" }), null, "us-east-1", table);
    expect(withImages.cost).toBeCloseTo(expected + 4 * 0.00075 + 2 * 0.17, 9);
    const unpricedPolicy = { ...table, guardrail: { content: 0.15 } };
    expect(costOf(usage({ guardrailUnits: { ...units, automatedReasoning: 5 }, source: "guardrail-usage" }), null, "us-east-1", unpricedPolicy)).toMatchObject({ cost: null, warning: "no guardrail price for policy topic" });
  });

  it("adds a Converse guardrail trace's units to its token cost", () => {
    const units = { content: 1000, contentImage: 0, topic: 0, word: 0, sensitiveInformation: 0, sensitiveInformationFree: 0, contextualGrounding: 0, automatedReasoning: 0 };
    const result = costOf(usage({ ...tokens(1000, 0), guardrailUnits: units }), HAIKU, "us-east-1", table);
    expect(result.cost).toBeCloseTo(builtIn.models[HAIKU].input + builtIn.guardrail.content, 10);
  });

  it("prices agent usage per model", () => {
    const u = usage({
      ...tokens(3000, 300),
      source: "agent-trace",
      byModel: [
        { modelId: SONNET, ...tokens(2000, 200) },
        { modelId: HAIKU, ...tokens(1000, 100) },
      ],
    });
    const s = builtIn.models[SONNET];
    const h = builtIn.models[HAIKU];
    const result = costOf(u, null, "us-east-1", table);
    expect(result.pricedModel).toBe(`${SONNET},${HAIKU}`);
    expect(result.cost).toBeCloseTo(2 * s.input + 0.2 * s.output + 1 * h.input + 0.1 * h.output, 10);
    expect(costOf(usage({ ...u, byModel: [{ modelId: null, ...tokens(1, 1) }] }), null, "us-east-1", table)).toMatchObject({ cost: null });
  });

  it("prices speech tokens at the model's audio rates and the rest at its text rates (Nova Sonic, genai-prices)", () => {
    // Nova Sonic: text $0.06 / $0.24, speech $3.4 / $13.6 per million tokens in / out.
    const u = usage({ ...tokens(1_500_000, 600_000), speechTokens: { input: 1_000_000, output: 500_000 }, source: "usage-events" });
    const result = costOf(u, "amazon.nova-sonic-v1:0", "us-east-1", table);
    expect(result.warning).toBeUndefined();
    expect(result.cost).toBeCloseTo(0.5 * 0.06 + 0.1 * 0.24 + 1 * 3.4 + 0.5 * 13.6, 9);
  });

  it("speech tokens of a model without an audio price: cost unknown, never priced as text", () => {
    const u = usage({ ...tokens(1000, 1000), speechTokens: { input: 500, output: 0 }, source: "usage-events" });
    expect(costOf(u, SONNET, "us-east-1", table)).toMatchObject({ cost: null, warning: `no speech input price for ${SONNET}` });
  });

  it("prices generated images by size tier and quality (Nova Canvas, Titan Image Generator v2, Stability)", () => {
    const images = (model: string, ...groups: { count: number; quality: "standard" | "premium"; pixels: number | null }[]) =>
      costOf(usage({ units: { images: groups }, source: "invoke-body" }), model, "us-east-1", table);
    // Nova Canvas: up to 1024x1024 $0.04 / $0.06, up to 2048x2048 $0.06 / $0.08 per image.
    const canvas = images("amazon.nova-canvas-v1:0", { count: 2, quality: "standard", pixels: 1024 * 1024 }, { count: 1, quality: "premium", pixels: 2048 * 2048 }, { count: 1, quality: "premium", pixels: 1280 * 720 });
    expect(canvas).toMatchObject({ pricedModel: "amazon.nova-canvas-v1:0", priceSources: ["hand-table"] });
    expect(canvas.cost).toBeCloseTo(2 * 0.04 + 0.08 + 0.06, 12);
    // Titan v2: up to 512x512 $0.008 / $0.01, larger $0.01 / $0.012; reached through a us. profile too.
    expect(images("us.amazon.titan-image-generator-v2:0", { count: 3, quality: "premium", pixels: 512 * 512 }, { count: 2, quality: "standard", pixels: 1024 * 1024 }).cost).toBeCloseTo(0.03 + 0.02, 12);
    // One size tier: the size need not be known.
    expect(images("stability.sd3-5-large-v1:0", { count: 1, quality: "standard", pixels: null }).cost).toBeCloseTo(0.08, 12);
    expect(images("amazon.nova-canvas-v1:0", { count: 1, quality: "standard", pixels: null })).toMatchObject({ cost: null, warning: expect.stringContaining("image size unknown") });
    expect(images("amazon.nova-canvas-v1:0", { count: 1, quality: "standard", pixels: 4096 * 4096 })).toMatchObject({ cost: null, warning: expect.stringContaining("16777216 pixels") });
    expect(images(HAIKU, { count: 1, quality: "standard", pixels: 1 })).toMatchObject({ cost: null, warning: `no per-image price for ${HAIKU}` });
  });

  it("prices embedded images per image on top of the text tokens; a model without that price stays unknown", () => {
    const embed = (model: string, inputTokens: number, inputImages: number) => costOf(usage({ ...tokens(inputTokens, 0), units: { inputImages }, source: "invoke-headers" }), model, "us-east-1", table);
    // Titan Multimodal Embeddings: $0.80 per million tokens, $0.00006 per image.
    expect(embed("amazon.titan-embed-image-v1", 10_000, 3).cost).toBeCloseTo(0.008 + 3 * 0.00006, 12);
    expect(embed("amazon.nova-2-multimodal-embeddings-v1:0", 1_000_000, 1).cost).toBeCloseTo(0.135 + 0.00006, 12);
    expect(embed("cohere.embed-v4:0", 1_000_000, 0).cost).toBeCloseTo(0.12, 12);
    expect(embed("cohere.embed-v4:0", 1000, 2)).toMatchObject({ cost: null, warning: "no per-image input price for cohere.embed-v4:0" });
  });

  it("prices cache tokens at the input rate, with a warning, when the model has no cache price", () => {
    const result = costOf(usage(tokens(0, 0, 1000)), HAIKU, "us-east-1", table);
    expect(result).toMatchObject({ cost: builtIn.models[HAIKU].input, warning: expect.stringContaining("no cache read price") });
  });
});
