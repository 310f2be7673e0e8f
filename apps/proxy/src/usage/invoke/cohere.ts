import { at, count, isObject } from "../json.ts";
import type { TokenCounts } from "../types.ts";
import { type InvokeFamily, latestCountsReader, tokens } from "./family.ts";

/** Cohere: `meta.billed_units {input_tokens, output_tokens}` (else `meta.tokens`); a stream's `stream-end` chunk nests it in `response`. */
function fromMeta(meta: unknown): TokenCounts | null {
  for (const key of ["billed_units", "tokens"]) {
    const units = at(meta, key);
    if (!isObject(units)) continue;
    const input = count(units.input_tokens);
    const output = count(units.output_tokens);
    if (input !== undefined || output !== undefined) return tokens(input, output);
  }
  return null;
}

const fromBody = (json: unknown) => fromMeta(at(json, "meta")) ?? fromMeta(at(json, "response", "meta"));

export const cohere: InvokeFamily = {
  name: "cohere",
  body: fromBody,
  stream: () => latestCountsReader(fromBody),
};
