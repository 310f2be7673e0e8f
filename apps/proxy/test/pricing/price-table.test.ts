import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPriceTable, loadPriceTable, PriceTableError } from "../../src/pricing/price-table.ts";
import builtIn from "../../src/pricing/price-table.json" with { type: "json" };

const dir = mkdtempSync(join(tmpdir(), "prices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const SONNET = "anthropic.claude-3-5-sonnet-20240620-v1:0";
const APP_ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a";

describe("price table", () => {
  it("ships the main current models, with a dated source that tells operators to override", () => {
    const table = loadPriceTable();
    expect(table.source).toMatch(/20\d\d-\d\d.*override/i);
    for (const id of [
      SONNET,
      "anthropic.claude-3-haiku-20240307-v1:0",
      "anthropic.claude-3-7-sonnet-20250219-v1:0",
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "anthropic.claude-haiku-4-5-20251001-v1:0",
      "anthropic.claude-opus-4-1-20250805-v1:0",
      "amazon.nova-micro-v1:0",
      "amazon.nova-premier-v1:0",
      "amazon.titan-text-premier-v1:0",
      "amazon.titan-embed-text-v2:0",
      "meta.llama3-2-90b-instruct-v1:0",
      "meta.llama4-maverick-17b-instruct-v1:0",
      "mistral.mixtral-8x7b-instruct-v0:1",
      "cohere.command-r-plus-v1:0",
      "cohere.embed-english-v3",
      "ai21.jamba-1-5-large-v1:0",
      "deepseek.r1-v1:0",
    ]) {
      expect(table.lookup(id, "us-east-1"), id).toMatchObject({ found: true, pricedModel: id });
    }
    expect(table.guardrail).toMatchObject({ content: 0.15, topic: 0.15, word: 0, sensitiveInformation: 0.1, contextualGrounding: 0.1 });
  });

  it("prices inference profiles, ARNs and context-length variants by their base model", () => {
    const table = loadPriceTable();
    for (const id of [`us.${SONNET}`, `global.${SONNET}`, `arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`, `arn:aws:bedrock:us-east-1:1:inference-profile/apac.${SONNET}`, `${SONNET}:200k`]) {
      expect(table.lookup(id, "us-east-1"), id).toMatchObject({ found: true, pricedModel: SONNET, prices: builtIn.models[SONNET] });
    }
  });

  it("merges an operator file: new prices, region overrides, profile-specific prices and ARN mapping", () => {
    const path = file("ok.json", {
      _source: "our negotiated prices",
      models: {
        [SONNET]: { regions: { "eu-central-1": { input: 0.0035 } } },
        "us.anthropic.claude-haiku-4-5-20251001-v1:0": { input: 0.0011, output: 0.0055 },
        "acme.custom-model-v1": { input: 0.01, output: 0.02 },
      },
      guardrail: { word: 0.01 },
      applicationInferenceProfiles: { [APP_ARN]: `us.${SONNET}` },
    });
    const table = loadPriceTable({ overridePath: path });
    expect(table.source).toContain(path);
    expect(table.lookup(SONNET, "eu-central-1")).toMatchObject({ found: true, prices: { input: 0.0035, output: builtIn.models[SONNET].output } });
    expect(table.lookup(SONNET, "us-east-1")).toMatchObject({ prices: { input: builtIn.models[SONNET].input } });
    expect(table.lookup("us.anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1")).toMatchObject({ pricedModel: "us.anthropic.claude-haiku-4-5-20251001-v1:0", prices: { input: 0.0011 } });
    expect(table.lookup("global.anthropic.claude-haiku-4-5-20251001-v1:0", "us-east-1")).toMatchObject({ pricedModel: "anthropic.claude-haiku-4-5-20251001-v1:0" });
    expect(table.lookup("acme.custom-model-v1", "us-east-1")).toMatchObject({ found: true });
    expect(table.lookup(APP_ARN, "us-east-1")).toMatchObject({ found: true, pricedModel: SONNET });
    expect(table.guardrail.word).toBe(0.01);
    expect(table.guardrail.content).toBe(0.15);
  });

  it("reports unknown models and unmapped ARNs as not found", () => {
    const table = loadPriceTable();
    expect(table.lookup("acme.unknown-v9", "us-east-1")).toMatchObject({ found: false, reason: "no price for model acme.unknown-v9" });
    expect(table.lookup(APP_ARN, "us-east-1")).toMatchObject({ found: false, reason: expect.stringContaining("no model mapping") });
  });

  const bad: [string, unknown, RegExp][] = [
    ["not JSON", "{ models: ", /not valid JSON/],
    ["an array", [], /the file must be a JSON object/],
    ["a string price", { models: { [SONNET]: { input: "0.003" } } }, /models\["anthropic\.claude-3-5-sonnet-20240620-v1:0"\]\.input must be a non-negative number/],
    ["a negative price", { models: { x: { input: -1, output: 1 } } }, /models\["x"\]\.input must be a non-negative number/],
    ["a typo'd field", { models: { [SONNET]: { inptu: 0.003 } } }, /\.inptu is not a price field/],
    ["a new model without output", { models: { "acme.m": { input: 0.1 } } }, /models\["acme\.m"\] is a new model and needs both/],
    ["a bad region", { models: { [SONNET]: { regions: { europe: { input: 1 } } } } }, /has "europe", which is not an AWS region/],
    ["an unknown guardrail policy", { guardrail: { profanity: 0.1 } }, /guardrail\.profanity is not a guardrail policy/],
    ["an ARN mapped to an ARN", { applicationInferenceProfiles: { [APP_ARN]: APP_ARN } }, /applicationInferenceProfiles\[.*team-a"\] must map to a model id/],
    ["an unknown section", { prices: {} }, /prices is not a price table section/],
    ["image tiers that are not a list", { models: { "acme.img": { input: 0, output: 0, images: { standard: 40 } } } }, /models\["acme\.img"\]\.images must be a list of size tiers/],
    ["an image tier without a standard price", { models: { "acme.img": { input: 0, output: 0, images: [{ maxPixels: 100, premium: 60 }] } } }, /images\[0\] needs a standard price/],
    ["image tiers out of order", { models: { "acme.img": { input: 0, output: 0, images: [{ maxPixels: 200, standard: 1 }, { maxPixels: 100, standard: 2 }] } } }, /images\[1\]\.maxPixels must be a whole number of pixels larger/],
    ["an open image tier before the last", { models: { "acme.img": { input: 0, output: 0, images: [{ standard: 1 }, { maxPixels: 100, standard: 2 }] } } }, /images\[0\] leaves out maxPixels/],
  ];
  for (const [name, content, message] of bad) {
    it(`rejects an override with ${name}, naming the entry`, () => {
      const path = file(`bad-${name.replace(/\W+/g, "-")}.json`, content);
      expect(() => loadPriceTable({ overridePath: path })).toThrow(PriceTableError);
      expect(() => loadPriceTable({ overridePath: path })).toThrow(message);
      expect(() => loadPriceTable({ overridePath: path })).toThrow(path);
    });
  }

  it("rejects a missing override file", () => {
    expect(() => loadPriceTable({ overridePath: join(dir, "missing.json") })).toThrow(/cannot read the file/);
  });

  it("takes image tiers and per-image input prices from an operator file; `_` comment fields are not prices", () => {
    const mine = buildPriceTable({ models: { "acme.img-v1": { _source: "our contract", input: 0, output: 0, inputImage: 0.05, images: [{ maxPixels: 1_048_576, standard: 30, premium: 45 }, { standard: 50 }] } } });
    const found = mine.lookup("acme.img-v1", "us-east-1");
    expect(found).toMatchObject({ found: true, source: "override", prices: { inputImage: 0.05, images: [{ maxPixels: 1_048_576, standard: 30, premium: 45 }, { standard: 50 }] } });
    expect(found.found && "_source" in found.prices).toBe(false);
  });

  it("builds from an already-parsed override", () => {
    expect(buildPriceTable({ models: { "acme.m": { input: 1, output: 2 } } }).lookup("acme.m", "us-east-1")).toMatchObject({ found: true });
  });
});
