import { at, count } from "../json.ts";
import type { TokenCounts } from "../types.ts";
import { type InvokeFamily, runningTotalsReader, tokens } from "./family.ts";

/** Titan Text `{inputTextTokenCount, results: [{tokenCount}]}`; Titan Embeddings `{embedding, inputTextTokenCount}`. */
function fromBody(json: unknown): TokenCounts | null {
  const input = count(at(json, "inputTextTokenCount"));
  if (input === undefined) return null;
  const results = at(json, "results");
  let output = 0;
  if (Array.isArray(results)) for (const r of results) output += count(at(r, "tokenCount")) ?? 0;
  return tokens(input, output);
}

export const titan: InvokeFamily = {
  name: "titan",
  body: fromBody,
  /** Chunks carry `inputTextTokenCount` (first) and a cumulative `totalOutputTextTokenCount`. */
  stream: () => runningTotalsReader("inputTextTokenCount", "totalOutputTextTokenCount"),
};
