import { at } from "../json.ts";
import type { TokenCounts } from "../types.ts";
import { type InvokeFamily, latestCountsReader, openAiStyleUsage, tokens } from "./family.ts";

/** Jurassic-2: `{prompt: {tokens: [...]}, completions: [{data: {tokens: [...]}}]}`: one entry per token. */
function jurassic(json: unknown): TokenCounts | null {
  const promptTokens = at(json, "prompt", "tokens");
  const completions = at(json, "completions");
  if (!Array.isArray(promptTokens) || !Array.isArray(completions)) return null;
  let output = 0;
  for (const c of completions) {
    const t = at(c, "data", "tokens");
    if (Array.isArray(t)) output += t.length;
  }
  return tokens(promptTokens.length, output);
}

/** AI21 Jamba: OpenAI-style `usage {prompt_tokens, completion_tokens}`; Jurassic-2 token lists. */
export const ai21: InvokeFamily = {
  name: "ai21",
  body: (json) => openAiStyleUsage(json) ?? jurassic(json),
  stream: () => latestCountsReader(openAiStyleUsage),
};
