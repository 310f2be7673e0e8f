import { at, count } from "../json.ts";
import { type InvokeFamily, runningTotalsReader, tokens } from "./family.ts";

/** Meta Llama: `{generation, prompt_token_count, generation_token_count}`. */
export const llama: InvokeFamily = {
  name: "llama",
  body(json) {
    const input = count(at(json, "prompt_token_count"));
    const output = count(at(json, "generation_token_count"));
    return input === undefined && output === undefined ? null : tokens(input, output);
  },
  /** `prompt_token_count` is set in the first chunk only (null after); `generation_token_count` is cumulative. */
  stream: () => runningTotalsReader("prompt_token_count", "generation_token_count"),
};
