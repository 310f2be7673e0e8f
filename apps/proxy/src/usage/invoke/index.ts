import { stripProfilePrefix } from "../../pricing/model-id.ts";
import type { TokenCounts } from "../types.ts";
import { ai21 } from "./ai21.ts";
import { anthropic } from "./anthropic.ts";
import { cohere } from "./cohere.ts";
import { deepseek } from "./deepseek.ts";
import { type FamilyStreamReader, type InvokeFamily, openAiCompatible } from "./family.ts";
import { llama } from "./llama.ts";
import { mistral } from "./mistral.ts";
import { nova } from "./nova.ts";
import { titan } from "./titan.ts";

export type { FamilyName, FamilyStreamReader, InvokeFamily } from "./family.ts";

/** Every known shape, in an order where no shape can be mistaken for another. */
const ALL: readonly InvokeFamily[] = [anthropic, nova, openAiCompatible, llama, titan, cohere, ai21];

/**
 * The provider family of a model id, after stripping inference-profile prefixes (`us.`, `global.`...).
 * Null for ARNs and unknown providers: their bodies are tried against every known shape.
 */
export function familyOf(modelId: string | null): InvokeFamily | null {
  if (!modelId || modelId.startsWith("arn:")) return null;
  const id = stripProfilePrefix(modelId).id;
  const provider = id.slice(0, id.indexOf("."));
  switch (provider) {
    case "anthropic":
      return anthropic;
    case "amazon":
      return id.startsWith("amazon.nova") ? nova : id.startsWith("amazon.titan") ? titan : null;
    case "meta":
      return llama;
    case "mistral":
      return mistral;
    case "cohere":
      return cohere;
    case "ai21":
      return ai21;
    case "deepseek":
      return deepseek;
    case "openai":
    case "qwen":
      return openAiCompatible;
    default:
      return null;
  }
}

/** Usage in a model-native InvokeModel body: the model's family first, then every other known shape. */
export function invokeBodyTokens(modelId: string | null, body: unknown): TokenCounts | null {
  const family = familyOf(modelId);
  if (family) {
    const counts = family.body(body);
    if (counts) return counts;
  }
  for (const candidate of ALL) {
    if (candidate === family) continue;
    const counts = candidate.body(body);
    if (counts) return counts;
  }
  return null;
}

/** A reader of InvokeModelWithResponseStream chunk payloads; for an unknown family, every shape reads every chunk. */
export function invokeStreamReader(modelId: string | null): FamilyStreamReader {
  const family = familyOf(modelId);
  if (family) return family.stream();
  const readers = ALL.map((f) => f.stream());
  return {
    push(chunk) {
      for (const r of readers) r.push(chunk);
    },
    counts() {
      for (const r of readers) {
        const c = r.counts();
        if (c) return c;
      }
      return null;
    },
  };
}
