import { calcPrice, findProvider, type ModelInfo, type PriceCalculationResult, type Provider } from "@pydantic/genai-prices";
import { boundedMemo } from "../bedrock/bounded-memo.ts";
import type { TokenPrices } from "./token-prices.ts";
// The pinned version, for the source line and the coverage report (the data ships inside the package).
import proxyPackage from "../../package.json" with { type: "json" };

/** What the maintained price data says for one Bedrock model id. */
export type LibraryLookup =
  | { found: true; libraryModel: string; prices: TokenPrices; note?: string }
  | { found: false; reason: string; libraryModel?: string };

export interface LibraryPrices {
  /** Version of `@pydantic/genai-prices` whose bundled data is used. */
  readonly version: string;
  /**
   * Prices for what a request ran, id as Bedrock names it: `global.` / `us.` / `eu.` ... prefixes are kept so the
   * data can tell global from regional (geographic and in-region) prices.
   */
  lookup(requestedId: string, baseModelId: string): LibraryLookup;
}


/**
 * Bedrock prices from `@pydantic/genai-prices` (provider `aws`). Its rules match by substring, which is loose enough
 * to price `amazon.titan-embed-text-v2:0` as `amazon.titan-embed-text-v1` (five times the price): a match is only
 * taken when the data's model id names the same model and version as the request (dates in ids ignored, since the
 * data names newer Claude models without them).
 */
export function libraryPrices(): LibraryPrices {
  const lookup = boundedMemo((key: string): LibraryLookup => {
    const [requestedId, baseModelId] = key.split("\n") as [string, string];
    let result: PriceCalculationResult;
    try {
      result = calcPrice({ input_tokens: 0, output_tokens: 0 }, requestedId, { providerId: "aws" });
      // An in-region call of a model the data lists only as `regional.` (matched by `us.`/`eu.`... ids) and
      // `global.`: AWS bills in-region calls at the regional price (Nova 2 Lite, Claude 4.5 and later).
      if (!result && requestedId === baseModelId) result = regionalPrice(requestedId);
    } catch (error) {
      return { found: false, reason: `genai-prices failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!result) return { found: false, reason: "not in genai-prices' aws data" };
    const libraryModel = result.model.id;
    if (!sameModel(libraryModel, baseModelId)) {
      return { found: false, libraryModel, reason: `genai-prices matched ${libraryModel}, another model or version than ${baseModelId}: not used` };
    }
    const price = result.model_price;
    const tiered: string[] = [];
    const perK = (field: string): number | undefined => {
      const value = price[field];
      if (value === undefined) return undefined;
      if (typeof value === "number") return value / 1000;
      // Long-context tiers (above ~272K input tokens, OpenAI models) are not modelled: the base price is used.
      tiered.push(field);
      return value.base / 1000;
    };
    const input = perK("input_mtok");
    if (input === undefined) return { found: false, libraryModel, reason: `genai-prices has no text input price for ${libraryModel}` };
    const prices: TokenPrices = { input, output: perK("output_mtok") ?? 0 };
    const cacheRead = perK("cache_read_mtok");
    const cacheWrite = perK("cache_write_mtok");
    const cacheWrite1h = perK("cache_write_1h_mtok");
    if (cacheRead !== undefined) prices.cacheRead = cacheRead;
    if (cacheWrite !== undefined) prices.cacheWrite = cacheWrite;
    if (cacheWrite1h !== undefined) prices.cacheWrite1h = cacheWrite1h;
    const inputAudio = perK("input_audio_mtok");
    const outputAudio = perK("output_audio_mtok");
    if (inputAudio !== undefined) prices.inputAudio = inputAudio;
    if (outputAudio !== undefined) prices.outputAudio = outputAudio;
    return { found: true, libraryModel, prices, ...(tiered.length ? { note: `long-context tier prices of ${libraryModel} not applied (${tiered.join(", ")})` } : {}) };
  }, 1024);
  return {
    version: proxyPackage.dependencies["@pydantic/genai-prices"],
    lookup: (requestedId, baseModelId) => lookup(`${requestedId}\n${baseModelId}`),
  };
}

/**
 * The data's `regional.<id>` entry priced for `id` itself: its match rules only name the geographic profiles
 * (`us.amazon.nova-2-lite`), so the entry is offered to calcPrice under a rule that matches the bare id.
 */
function regionalPrice(id: string): PriceCalculationResult {
  const aws = awsProvider();
  const regional = aws?.models.find((m) => m.id.startsWith("regional.") && sameModel(m.id, id) && datesAgree(m.id, id));
  if (!aws || !regional) return null;
  const only: ModelInfo = { ...regional, match: { equals: id } };
  return calcPrice({ input_tokens: 0, output_tokens: 0 }, id, { provider: { ...aws, models: [only] } });
}

let aws: Provider | undefined | null = null;
function awsProvider(): Provider | undefined {
  if (aws === null) aws = findProvider({ providerId: "aws" });
  return aws;
}

/**
 * `regional.anthropic.claude-opus-4-5-v1:0` names `anthropic.claude-opus-4-5-20251101-v1:0`;
 * `amazon.titan-embed-text-v1` does not name `amazon.titan-embed-text-v2:0`.
 */
export function sameModel(libraryModel: string, baseModelId: string): boolean {
  const lib = normalise(libraryModel.replace(/^(regional|global)\./, ""));
  const base = normalise(baseModelId);
  if (lib === base) return true;
  // Either side may leave out the version suffix: the data names some models without it (`anthropic.claude-opus-5`),
  // and Bedrock names newer ones without it (`anthropic.claude-sonnet-4-6`, `anthropic.claude-opus-4-6-v1`).
  const versionOnly = /^(-v\d+)?(:\d+)?$/;
  return (base.startsWith(lib) && versionOnly.test(base.slice(lib.length))) || (lib.startsWith(base) && versionOnly.test(lib.slice(base.length)));
}

/** Ids that both carry a release date name the same release only with the same date. */
function datesAgree(a: string, b: string): boolean {
  const date = (id: string) => /-(\d{8})(?=-|:|$)/.exec(id)?.[1];
  const [x, y] = [date(a), date(b)];
  return x === undefined || y === undefined || x === y;
}

function normalise(id: string): string {
  return id.replace(/-\d{8}(?=-|:|$)/g, "");
}
