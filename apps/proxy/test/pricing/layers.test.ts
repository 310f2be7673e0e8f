import { findProvider } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { costOf } from "../../src/pricing/cost.ts";
import { libraryPrices, sameModel } from "../../src/pricing/library-prices.ts";
import { buildPriceTable } from "../../src/pricing/price-table.ts";
import type { Usage } from "../../src/usage/types.ts";

const SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const usage = (u: Partial<Usage>): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "converse-body", complete: true, ...u });

describe("price layers: operator file, then genai-prices, then the hand table", () => {
  const table = buildPriceTable();

  it("takes genai-prices for the models it knows, with global and regional prices apart", () => {
    expect(table.lookup(`global.${SONNET_45}`, "us-east-1")).toMatchObject({ found: true, source: "genai-prices", sourceModel: `global.${SONNET_45}`, prices: { input: 0.003 } });
    const regional = table.lookup(`us.${SONNET_45}`, "us-east-1");
    expect(regional).toMatchObject({ found: true, source: "genai-prices", sourceModel: `regional.${SONNET_45}` });
    expect(regional.found && regional.prices.input).toBeCloseTo(0.0033, 12);
    // In-region calls pay the regional price too.
    expect(table.lookup(SONNET_45, "us-east-1")).toMatchObject({ sourceModel: `regional.${SONNET_45}` });
  });

  it("prices an in-region call of a model the data lists only under regional. and global. at the regional price (Nova 2 Lite)", () => {
    // genai-prices 0.1.8: regional.amazon.nova-2-lite-v1:0 matches us./eu./jp. ids only; in-region calls pay the regional price.
    const inRegion = table.lookup("amazon.nova-2-lite-v1:0", "us-east-1");
    expect(inRegion).toMatchObject({ found: true, source: "genai-prices", sourceModel: "regional.amazon.nova-2-lite-v1:0" });
    expect(inRegion.found && [inRegion.prices.input, inRegion.prices.output, inRegion.prices.cacheRead]).toEqual([0.00033, 0.00275, 0.0000825]);
    expect(table.lookup("us.amazon.nova-2-lite-v1:0", "us-east-1")).toMatchObject({ sourceModel: "regional.amazon.nova-2-lite-v1:0" });
    expect(table.lookup("global.amazon.nova-2-lite-v1:0", "us-east-1")).toMatchObject({ sourceModel: "global.amazon.nova-2-lite-v1:0", prices: { input: 0.0003 } });
  });

  it.each([
    ["anthropic.claude-sonnet-4-6", "regional.anthropic.claude-sonnet-4-6-v1:0", 0.0033],
    ["global.anthropic.claude-sonnet-4-6", "global.anthropic.claude-sonnet-4-6-v1:0", 0.003],
    ["anthropic.claude-opus-4-6-v1", "regional.anthropic.claude-opus-4-6-v1:0", 0.0055],
    ["us.anthropic.claude-opus-4-7", "regional.anthropic.claude-opus-4-7-v1:0", 0.0055],
    ["qwen.qwen3-vl-235b-a22b", "qwen.qwen3-vl-235b-a22b-v1:0", 0.00053],
    ["nvidia.nemotron-nano-9b-v2", "nvidia.nemotron-nano-9b-v2:0", 0.00006],
  ])("prices %s (Bedrock's id, without the data's version suffix) from genai-prices' %s", (id, libraryModel, input) => {
    const found = table.lookup(id, "us-east-1");
    expect(found).toMatchObject({ found: true, source: "genai-prices", sourceModel: libraryModel });
    expect(found.found && found.prices.input).toBeCloseTo(input, 12);
  });

  it("falls back to the hand table for what genai-prices lacks or names loosely", () => {
    expect(table.lookup("cohere.command-r-v1:0", "us-east-1")).toMatchObject({ found: true, source: "hand-table", prices: { input: 0.0005 } });
    expect(table.lookup("amazon.titan-embed-text-v2:0", "us-east-1")).toMatchObject({ source: "hand-table", prices: { input: 0.00002 } });
    expect(libraryPrices().lookup("amazon.titan-embed-text-v2:0", "amazon.titan-embed-text-v2:0")).toMatchObject({ found: false, libraryModel: "amazon.titan-embed-text-v1" });
    // Bedrock's documentation names Cohere Embed v4 `cohere.embed-v4`; the table keys it `cohere.embed-v4:0`.
    expect(table.lookup("cohere.embed-v4", "us-east-1")).toMatchObject({ found: true, source: "hand-table", pricedModel: "cohere.embed-v4:0", prices: { input: 0.00012 } });
  });

  it("an operator entry wins over both", () => {
    const mine = buildPriceTable({ models: { [SONNET_45]: { input: 0.001, output: 0.002 } } });
    expect(mine.lookup(`us.${SONNET_45}`, "us-east-1")).toMatchObject({ source: "override", prices: { input: 0.001, output: 0.002 } });
  });

  it("hand table only when the library is off", () => {
    expect(buildPriceTable(undefined, "override", null).lookup(SONNET_45, "us-east-1")).toMatchObject({ source: "hand-table", prices: { input: 0.003 } });
  });

  it.each([
    ["regional.anthropic.claude-opus-4-5-v1:0", "anthropic.claude-opus-4-5-20251101-v1:0", true],
    ["global.anthropic.claude-opus-5", "anthropic.claude-opus-5-v1:0", true],
    ["amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", true],
    ["amazon.titan-embed-text-v1", "amazon.titan-embed-text-v2:0", false],
    ["regional.anthropic.claude-opus-4-5-v1:0", "anthropic.claude-opus-4-1-20250805-v1:0", false],
    // Bedrock names newer models without the version the data gives them.
    ["regional.anthropic.claude-sonnet-4-6-v1:0", "anthropic.claude-sonnet-4-6", true],
    ["regional.anthropic.claude-opus-4-6-v1:0", "anthropic.claude-opus-4-6-v1", true],
    ["regional.anthropic.claude-opus-4-6-v1:0", "anthropic.claude-opus-4", false],
    ["amazon.titan-embed-text-v1", "amazon.titan-embed-text", true],
  ])("sameModel(%s, %s) = %s", (lib, base, same) => expect(sameModel(lib, base)).toBe(same));
});

describe("1-hour cache writes in genai-prices 0.1.8 (what pricing/README.md states)", () => {
  it("only Claude Opus 5.5 has a 1-hour price; every other model's 1-hour writes are 2x input, with the note", () => {
    const aws = findProvider({ providerId: "aws" })!;
    const withOneHour = aws.models.filter((m) => JSON.stringify(m.prices).includes("cache_write_1h_mtok")).map((m) => m.id);
    expect(withOneHour.sort()).toEqual(["global.anthropic.claude-opus-5-5", "regional.anthropic.claude-opus-5-5"]);
    const table = buildPriceTable();
    const oneHour = (model: string) => costOf(usage({ cacheWriteInputTokens: 1000, cacheWrite1hInputTokens: 1000 }), model, "us-east-1", table);
    expect(oneHour("global.anthropic.claude-opus-5-5")).toMatchObject({ cost: 0.008 });
    expect(oneHour("global.anthropic.claude-opus-5-5").warning).toBeUndefined();
    expect(oneHour("us.anthropic.claude-sonnet-4-6")).toMatchObject({ cost: 0.0066, warning: "no 1-hour cache write price for anthropic.claude-sonnet-4-6: priced at 2x the input rate" });
  });
});

describe("cost of the families that are not plain tokens", () => {
  const table = buildPriceTable();

  it("prices 5-minute and 1-hour cache writes apart (1-hour at its own price, else 2x input)", () => {
    const withOneHour = buildPriceTable({ models: { "acme.model-v1": { input: 0.001, output: 0.002, cacheWrite: 0.00125, cacheWrite1h: 0.002 } } });
    const r = costOf(usage({ cacheWriteInputTokens: 3000, cacheWrite1hInputTokens: 1000 }), "acme.model-v1", "us-east-1", withOneHour);
    expect(r.cost).toBeCloseTo(2 * 0.00125 + 1 * 0.002, 12);
    expect(r.warning).toBeUndefined();
    const derived = costOf(usage({ cacheWriteInputTokens: 1000, cacheWrite1hInputTokens: 1000 }), `global.${SONNET_45}`, "us-east-1", table);
    expect(derived.cost).toBeCloseTo(0.006, 12);
    expect(derived.warning).toMatch(/2x the input rate/);
  });

  it("prices Rerank queries and seconds of video; a model without that price is unknown, not free", () => {
    expect(costOf(usage({ units: { queries: 3 }, source: "request-body" }), "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0", "us-west-2", table).cost).toBeCloseTo(0.003, 12);
    expect(costOf(usage({ units: { videoSeconds: 6 }, source: "request-body" }), "amazon.nova-reel-v1:0", "us-east-1", table).cost).toBeCloseTo(0.48, 12);
    expect(costOf(usage({ units: { queries: 3 }, source: "request-body" }), "cohere.command-r-v1:0", "us-east-1", table)).toMatchObject({ cost: null, warning: "no per-query price for cohere.command-r-v1:0" });
  });
});
