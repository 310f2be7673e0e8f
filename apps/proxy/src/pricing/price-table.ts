import { readFileSync } from "node:fs";
import type { GuardrailUnits } from "../usage/types.ts";
import { type ResolvedModelId, resolveModelId } from "./model-id.ts";
import { type LibraryPrices, libraryPrices } from "./library-prices.ts";
import builtIn from "./price-table.json" with { type: "json" };
import { errorMessage } from "../error-message.ts";
import type { TokenPrices } from "./token-prices.ts";
import { decodeLabel } from "../bedrock/raw-path.ts";

export type { ImagePriceTier, TokenPrices } from "./token-prices.ts";

/** Which layer a price came from: the operator's file, the maintained library, or the built-in hand table. */
export type PriceSource = "override" | "genai-prices" | "hand-table";

export interface ModelPriceEntry extends TokenPrices {
  /** Per-region prices that differ from the default (us-east-1) ones; missing fields fall back to them. */
  regions?: Record<string, Partial<TokenPrices>>;
}

/** USD per 1,000 guardrail units, per policy. A policy with units but no price makes the cost unknown. */
export type GuardrailPrices = Partial<Record<keyof GuardrailUnits, number>>;

/**
 * The price table file format: the built-in `price-table.json`, and the operator override (`PRICE_TABLE_PATH`).
 * Keys starting with `_` are comments. Model keys are base model ids (`anthropic.claude-...`), or a full
 * inference-profile id (`us.anthropic.claude-...`) to price one profile differently from its base model.
 */
export interface PriceTableFile {
  _source?: string;
  currency?: "USD";
  unit?: "per-1k";
  models?: Record<string, ModelPriceEntry>;
  guardrail?: GuardrailPrices;
  /** Application inference profile (or provisioned/custom model) ARN → the model id it runs. */
  applicationInferenceProfiles?: Record<string, string>;
}

export type PriceLookup =
  | { found: true; pricedModel: string; prices: TokenPrices; resolved: ResolvedModelId; source: PriceSource; sourceModel?: string; note?: string }
  | { found: false; pricedModel: null; reason: string; resolved: ResolvedModelId };

export interface PriceTable {
  /** Where the prices come from (the built-in `_source`, then the override's path and `_source`). */
  readonly source: string;
  readonly models: ReadonlyMap<string, ModelPriceEntry>;
  readonly guardrail: Readonly<GuardrailPrices>;
  readonly applicationInferenceProfiles: Readonly<Record<string, string>>;
  /** The prices for a request's model id (profile id, ARN...) in a region. */
  lookup(modelId: string, region: string): PriceLookup;
}

export class PriceTableError extends Error {
  override name = "PriceTableError";
}

export interface LoadPriceTableOptions {
  /** An operator price file merged over the built-in table, usually `env.PRICE_TABLE_PATH`. */
  overridePath?: string | null;
  /** The maintained price data consulted between the override and the hand table; null: hand table only. */
  library?: LibraryPrices | null;
}

/**
 * The built-in price table, merged with the operator's override file when one is given. Throws
 * {@link PriceTableError} naming the file and the bad entry when the override cannot be read or is invalid.
 *
 * @example const prices = loadPriceTable({ overridePath: env.PRICE_TABLE_PATH });
 */
export function loadPriceTable(options: LoadPriceTableOptions = {}): PriceTable {
  const path = options.overridePath?.trim();
  const library = options.library === undefined ? libraryPrices() : options.library;
  if (!path) return buildPriceTable(undefined, "override", library);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PriceTableError(`price table override ${path}: cannot read the file (${errorMessage(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PriceTableError(`price table override ${path}: not valid JSON (${errorMessage(error)})`);
  }
  return buildPriceTable(json, path, library);
}

/**
 * The price layers for an already-parsed override (validated; `origin` names it in errors): the operator's file
 * first, then the maintained library, then the built-in hand table. An override entry for a model the hand table
 * has is merged over it field by field.
 */
export function buildPriceTable(override?: unknown, origin = "override", library: LibraryPrices | null = libraryPrices()): PriceTable {
  const base = validatePriceTableFile(builtIn, "built-in price-table.json");
  const extra = override === undefined ? {} : validatePriceTableFile(override, `price table ${origin}`);

  const hand = new Map<string, ModelPriceEntry>(entriesOf(base.models).map(([id, entry]) => [id, withoutComments(entry)]));
  const overrides = new Map<string, ModelPriceEntry>();
  for (const [id, raw] of entriesOf(extra.models)) {
    const entry = withoutComments(raw);
    const previous = hand.get(id);
    const merged = { ...previous, ...entry, regions: { ...previous?.regions, ...entry.regions } } as ModelPriceEntry;
    if (merged.input === undefined || merged.output === undefined) {
      throw new PriceTableError(`price table ${origin}: models[${JSON.stringify(id)}] is a new model and needs both "input" and "output"`);
    }
    overrides.set(id, merged);
  }
  const models = new Map<string, ModelPriceEntry>([...hand, ...overrides]);
  const guardrail: GuardrailPrices = Object.fromEntries([...entriesOf(base.guardrail), ...entriesOf(extra.guardrail)]);
  const applicationInferenceProfiles = { ...base.applicationInferenceProfiles, ...extra.applicationInferenceProfiles };
  const source = [
    override === undefined ? null : `${origin}${extra._source ? ` (${extra._source})` : ""}`,
    library ? `@pydantic/genai-prices ${library.version} (aws)` : null,
    `built-in hand table: ${base._source ?? "price-table.json"}`,
  ]
    .filter(Boolean)
    .join(", then ");

  const pricesIn = (layer: ReadonlyMap<string, ModelPriceEntry>, key: string, region: string): TokenPrices | null => {
    const entry = layer.get(key);
    if (!entry) return null;
    const regional = entry.regions?.[region];
    const { regions: _regions, ...prices } = entry;
    return regional ? { ...prices, ...regional } : prices;
  };

  return {
    source,
    models,
    guardrail,
    applicationInferenceProfiles,
    lookup(modelId, region) {
      const resolved = resolveModelId(modelId, applicationInferenceProfiles);
      if (resolved.baseModelId === null) return { found: false, pricedModel: null, reason: resolved.reason ?? `cannot resolve model ${modelId}`, resolved };
      const base = withoutThroughputSuffix(resolved.baseModelId) ?? resolved.baseModelId;
      const profileId = resolved.profilePrefix ? `${resolved.profilePrefix}.${resolved.baseModelId}` : null;
      // Bedrock names some models without the `:0` the tables carry (`cohere.embed-v4` is `cohere.embed-v4:0`).
      const versioned = /:\d+$/.test(base) ? null : `${base}:0`;
      const candidates = [...new Set([decodeLabel(modelId), profileId, resolved.baseModelId, base, versioned].filter((k): k is string => k !== null))];
      for (const key of candidates) {
        const prices = pricesIn(overrides, key, region);
        if (prices) return { found: true, pricedModel: key, prices, resolved, source: "override" };
      }
      const fromLibrary = library?.lookup(profileId ?? base, base);
      if (fromLibrary?.found) {
        return { found: true, pricedModel: base, prices: fromLibrary.prices, resolved, source: "genai-prices", sourceModel: fromLibrary.libraryModel, ...(fromLibrary.note ? { note: fromLibrary.note } : {}) };
      }
      for (const key of candidates) {
        const prices = pricesIn(hand, key, region);
        if (prices) return { found: true, pricedModel: key, prices, resolved, source: "hand-table" };
      }
      return { found: false, pricedModel: null, reason: `no price for model ${resolved.baseModelId}`, resolved };
    },
  };
}

/** A section's entries without its `_` comment keys. */
function entriesOf<V>(section: Record<string, V> | undefined): [string, V][] {
  return Object.entries(section ?? {}).filter(([key]) => !key.startsWith("_"));
}

/** A price entry without its `_source` (and other `_` comment) fields. */
function withoutComments(entry: ModelPriceEntry): ModelPriceEntry {
  return Object.fromEntries(Object.entries(entry).filter(([key]) => !key.startsWith("_"))) as unknown as ModelPriceEntry;
}

/** `anthropic.claude-3-haiku-20240307-v1:0:200k` (a context-length variant) → `anthropic.claude-3-haiku-20240307-v1:0`. */
function withoutThroughputSuffix(id: string): string | null {
  const match = /^(.+:\d+):(?:\d+k|mm)$/.exec(id);
  return match ? match[1] : null;
}


const TOKEN_PRICE_KEYS = ["input", "output", "cacheRead", "cacheWrite", "cacheWrite1h", "inputAudio", "outputAudio", "query", "videoSeconds", "inputImage"] as const;
const PRICE_FIELDS = [...TOKEN_PRICE_KEYS, "images"].join(", ");
const GUARDRAIL_KEYS: readonly (keyof GuardrailUnits)[] = [
  "content",
  "contentImage",
  "topic",
  "word",
  "sensitiveInformation",
  "sensitiveInformationFree",
  "contextualGrounding",
  "automatedReasoning",
];

/** Checks a parsed price file entry by entry; the error names the file and the first bad entry. */
export function validatePriceTableFile(value: unknown, origin: string): PriceTableFile {
  const check = checkOf(origin);
  for (const [key, section] of check.entries("the file", value, "a JSON object")) {
    switch (key) {
      case "currency":
        if (section !== "USD") check.fail("currency", `must be "USD", got ${show(section)}`);
        break;
      case "unit":
        if (section !== "per-1k") check.fail("unit", `must be "per-1k", got ${show(section)}`);
        break;
      case "models":
        for (const [id, entry] of check.entries("models", section, "an object keyed by model id")) {
          const where = `models[${JSON.stringify(id)}]`;
          for (const [field, price] of check.entries(where, entry, "an object like {\"input\": 0.003, \"output\": 0.015}")) {
            if (field === "regions") {
              for (const [region, regional] of check.entries(`${where}.regions`, price, "an object keyed by region")) {
                if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) check.fail(`${where}.regions`, `has ${show(region)}, which is not an AWS region`);
                checkPrices(check, `${where}.regions[${JSON.stringify(region)}]`, regional);
              }
            } else if (field === "images") {
              checkImageTiers(check, `${where}.images`, price);
            } else if (!(TOKEN_PRICE_KEYS as readonly string[]).includes(field)) {
              check.fail(`${where}.${field}`, `is not a price field (expected ${PRICE_FIELDS} or regions)`);
            } else {
              checkPrice(check, `${where}.${field}`, price);
            }
          }
        }
        break;
      case "guardrail":
        for (const [policy, price] of check.entries("guardrail", section, "an object keyed by policy")) {
          if (!(GUARDRAIL_KEYS as readonly string[]).includes(policy)) check.fail(`guardrail.${policy}`, `is not a guardrail policy (expected ${GUARDRAIL_KEYS.join(", ")})`);
          checkPrice(check, `guardrail.${policy}`, price);
        }
        break;
      case "applicationInferenceProfiles":
        for (const [arn, target] of check.entries("applicationInferenceProfiles", section, "an object of ARN → model id")) {
          const where = `applicationInferenceProfiles[${JSON.stringify(arn)}]`;
          if (!arn.startsWith("arn:")) check.fail(where, "must be keyed by a full ARN");
          if (typeof target !== "string" || target.trim() === "" || target.startsWith("arn:")) check.fail(where, `must map to a model id, got ${show(target)}`);
        }
        break;
      default:
        check.fail(key, "is not a price table section (expected models, guardrail, applicationInferenceProfiles, currency, unit)");
    }
  }
  return value as PriceTableFile;
}

interface Check {
  fail(where: string, problem: string): never;
  /** The entries of an object, keys starting with `_` (comments) left out; anything but an object fails as not `shape`. */
  entries(where: string, value: unknown, shape: string): [string, unknown][];
}

function checkOf(origin: string): Check {
  const fail = (where: string, problem: string): never => {
    throw new PriceTableError(`${origin}: ${where} ${problem}`);
  };
  return {
    fail,
    entries(where, value, shape) {
      if (!isPlainObject(value)) return fail(where, `must be ${shape}`);
      return Object.entries(value).filter(([key]) => !key.startsWith("_"));
    },
  };
}

function checkPrices(check: Check, where: string, value: unknown): void {
  for (const [field, price] of check.entries(where, value, "an object of prices")) {
    if (field === "images") {
      checkImageTiers(check, `${where}.images`, price);
      continue;
    }
    if (!(TOKEN_PRICE_KEYS as readonly string[]).includes(field)) check.fail(`${where}.${field}`, `is not a price field (expected ${PRICE_FIELDS})`);
    checkPrice(check, `${where}.${field}`, price);
  }
}

/** `[{maxPixels?, standard, premium?}, ...]`, smallest size first; only the last tier may leave out `maxPixels`. */
function checkImageTiers(check: Check, where: string, value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) check.fail(where, 'must be a list of size tiers like [{"maxPixels": 1048576, "standard": 40, "premium": 60}]');
  let previous = 0;
  (value as unknown[]).forEach((tier, i) => {
    const at = `${where}[${i}]`;
    for (const [field, price] of check.entries(at, tier, 'an object like {"maxPixels": 1048576, "standard": 40}')) {
      if (field === "maxPixels") {
        if (typeof price !== "number" || !Number.isInteger(price) || price <= previous) check.fail(`${at}.maxPixels`, `must be a whole number of pixels larger than the tier before's, got ${show(price)}`);
        previous = price as number;
      } else if (field === "standard" || field === "premium") {
        checkPrice(check, `${at}.${field}`, price);
      } else {
        check.fail(`${at}.${field}`, "is not an image tier field (expected maxPixels, standard, premium)");
      }
    }
    if (!isPlainObject(tier) || tier.standard === undefined) check.fail(at, "needs a standard price");
    if (tier.maxPixels === undefined && i !== (value as unknown[]).length - 1) check.fail(at, "leaves out maxPixels, which only the last tier may");
  });
}

function checkPrice(check: Check, where: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) check.fail(where, `must be a non-negative number (USD per 1K), got ${show(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + "..." : text;
}
