import type { BilledUnits, GeneratedImages, GuardrailUnits, TokenCounts, Usage } from "../usage/types.ts";
import type { ImagePriceTier, PriceSource, PriceTable, TokenPrices } from "./price-table.ts";

/** USD per component, before rounding. */
export interface CostBreakdown {
  input: number;
  output: number;
  cacheRead: number;
  /** 5-minute and 1-hour cache writes together. */
  cacheWrite: number;
  /** Speech tokens, in and out (Nova Sonic). */
  speech: number;
  guardrail: number;
  /** Billed units that are not tokens: Rerank queries, seconds of generated video, images made or embedded. */
  units: number;
}

export interface CostResult {
  /** USD (rounded to 1e-10 to drop float noise); null when it cannot be known. Never 0 for an unknown price. */
  cost: number | null;
  /** The price table key used; for agents invoking several models, the keys joined with ",". */
  pricedModel: string | null;
  /** Why the cost is null, or what makes it approximate (partial usage, cache priced at the input rate). */
  warning?: string;
  /** Present when `cost` is not null. */
  breakdown?: CostBreakdown;
  /** Which price layer priced each model (override, genai-prices, hand-table), in the order of `pricedModel`. */
  priceSources?: PriceSource[];
}

/**
 * The cost of one call's usage in USD: tokens × the model's per-1K prices in `region` (plus guardrail units × the
 * per-1K-units policy prices). CountTokens is free; usage that Bedrock does not expose, or a model without a price,
 * gives `cost: null` with a warning, never zero.
 *
 * @param modelId the request's model id, inference profile id or ARN; agent usage names its own models per entry.
 */
export function costOf(usage: Usage, modelId: string | null, region: string, table: PriceTable): CostResult {
  if (usage.source === "free") return { cost: 0, pricedModel: null, breakdown: zeroBreakdown() };
  if (usage.source === "not-exposed" || usage.source === "unreadable") {
    return { cost: null, pricedModel: null, warning: usage.note ?? `usage ${usage.source}` };
  }
  const warnings: string[] = [];
  const breakdown = zeroBreakdown();
  const priced: string[] = [];
  const sources: PriceSource[] = [];

  if (!usage.complete && !hasTokens(usage) && !hasUnits(usage.guardrailUnits)) {
    return { cost: null, pricedModel: null, warning: `usage unknown: ${usage.note ?? "incomplete"}` };
  }

  if (usage.source !== "guardrail-usage") {
    const parts: { modelId: string | null; tokens: TokenCounts }[] = usage.byModel?.length
      ? usage.byModel.map((m) => ({ modelId: m.modelId ?? modelId, tokens: m }))
      : [{ modelId, tokens: withoutSpeech(usage) }];
    for (const part of parts) {
      if (part.modelId === null) return { cost: null, pricedModel: null, warning: "no model id to price the tokens by" };
      const found = table.lookup(part.modelId, region);
      if (!found.found) return { cost: null, pricedModel: null, warning: found.reason };
      addTokenCost(breakdown, part.tokens, found.prices, found.pricedModel, warnings);
      if (found.note) warnings.push(found.note);
      if (!priced.includes(found.pricedModel)) (priced.push(found.pricedModel), sources.push(found.source));
      if (part === parts[0] && usage.speechTokens) {
        const missing = addSpeechCost(breakdown, usage.speechTokens, found.prices);
        if (missing) return { cost: null, pricedModel: found.pricedModel, warning: `no ${missing} price for ${found.pricedModel}` };
      }
      if (part === parts[0] && usage.units) {
        const problem = addUnitCost(breakdown, usage.units, found.prices, found.pricedModel);
        if (problem) return { cost: null, pricedModel: found.pricedModel, warning: problem };
      }
    }
  }

  if (usage.guardrailUnits) {
    for (const [policy, units] of Object.entries(usage.guardrailUnits) as [keyof GuardrailUnits, number][]) {
      if (units <= 0) continue;
      const price = table.guardrail[policy];
      if (price === undefined) return { cost: null, pricedModel: priced.join(",") || null, warning: `no guardrail price for policy ${policy}` };
      breakdown.guardrail += (units / 1000) * price;
    }
  }

  if (!usage.complete) warnings.unshift(`partial usage: ${usage.note ?? "incomplete"}`);
  const total = breakdown.input + breakdown.output + breakdown.cacheRead + breakdown.cacheWrite + breakdown.speech + breakdown.guardrail + breakdown.units;
  return {
    cost: round(total),
    pricedModel: priced.join(",") || null,
    ...(warnings.length ? { warning: warnings.join("; ") } : {}),
    breakdown,
    ...(sources.length ? { priceSources: sources } : {}),
  };
}

function addTokenCost(into: CostBreakdown, tokens: TokenCounts, prices: TokenPrices, model: string, warnings: string[]): void {
  into.input += (tokens.inputTokens / 1000) * prices.input;
  into.output += (tokens.outputTokens / 1000) * prices.output;
  if (tokens.cacheReadInputTokens > 0) {
    if (prices.cacheRead === undefined) warnings.push(`no cache read price for ${model}: priced at the input rate`);
    into.cacheRead += (tokens.cacheReadInputTokens / 1000) * (prices.cacheRead ?? prices.input);
  }
  const oneHour = Math.min(tokens.cacheWrite1hInputTokens ?? 0, tokens.cacheWriteInputTokens);
  const fiveMinutes = tokens.cacheWriteInputTokens - oneHour;
  if (fiveMinutes > 0) {
    if (prices.cacheWrite === undefined) warnings.push(`no cache write price for ${model}: priced at the input rate`);
    into.cacheWrite += (fiveMinutes / 1000) * (prices.cacheWrite ?? prices.input);
  }
  if (oneHour > 0) {
    // Anthropic's published rule (the only models with 1-hour caching on Bedrock): a 1-hour write costs 2x input.
    if (prices.cacheWrite1h === undefined) warnings.push(`no 1-hour cache write price for ${model}: priced at 2x the input rate`);
    into.cacheWrite += (oneHour / 1000) * (prices.cacheWrite1h ?? 2 * prices.input);
  }
}

/** Speech tokens are counted in the input and output tokens too; the text rates apply to the rest only. */
function withoutSpeech(usage: Usage): TokenCounts {
  const speech = usage.speechTokens;
  return speech ? { ...usage, inputTokens: usage.inputTokens - speech.input, outputTokens: usage.outputTokens - speech.output } : usage;
}

/** Speech at the audio rates; returns the name of a price the model lacks, if any (the cost is then unknown, never text-priced). */
function addSpeechCost(into: CostBreakdown, speech: NonNullable<Usage["speechTokens"]>, prices: TokenPrices): string | null {
  if (speech.input > 0 && prices.inputAudio === undefined) return "speech input";
  if (speech.output > 0 && prices.outputAudio === undefined) return "speech output";
  into.speech += (speech.input / 1000) * (prices.inputAudio ?? 0) + (speech.output / 1000) * (prices.outputAudio ?? 0);
  return null;
}

/** Adds the per-unit prices (queries, seconds, images); returns why the cost is unknown, if it is. */
function addUnitCost(into: CostBreakdown, units: BilledUnits, prices: TokenPrices, model: string): string | null {
  if (units.queries) {
    if (prices.query === undefined) return `no per-query price for ${model}`;
    into.units += (units.queries / 1000) * prices.query;
  }
  if (units.videoSeconds) {
    if (prices.videoSeconds === undefined) return `no per-second video price for ${model}`;
    into.units += (units.videoSeconds / 1000) * prices.videoSeconds;
  }
  if (units.inputImages) {
    if (prices.inputImage === undefined) return `no per-image input price for ${model}`;
    into.units += (units.inputImages / 1000) * prices.inputImage;
  }
  for (const group of units.images ?? []) {
    if (group.count <= 0) continue;
    if (!prices.images) return `no per-image price for ${model}`;
    const tier = imageTier(prices.images, group);
    if (typeof tier === "string") return `${tier} (${model})`;
    into.units += (group.count / 1000) * (group.quality === "premium" ? (tier.premium ?? tier.standard) : tier.standard);
  }
  return null;
}

/** The size tier that prices `group`, or why there is none. */
function imageTier(tiers: ImagePriceTier[], group: GeneratedImages): ImagePriceTier | string {
  if (group.pixels === null) {
    return tiers.length === 1 ? tiers[0]! : "image size unknown, and the price depends on it";
  }
  return tiers.find((t) => t.maxPixels === undefined || group.pixels! <= t.maxPixels) ?? `no per-image price for images of ${group.pixels} pixels`;
}

function hasTokens(t: TokenCounts): boolean {
  return t.inputTokens + t.outputTokens + t.cacheReadInputTokens + t.cacheWriteInputTokens > 0;
}

function hasUnits(units: GuardrailUnits | undefined): boolean {
  return !!units && Object.values(units).some((n) => n > 0);
}

function zeroBreakdown(): CostBreakdown {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, speech: 0, guardrail: 0, units: 0 };
}

function round(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}
