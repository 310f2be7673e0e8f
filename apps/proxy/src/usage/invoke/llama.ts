import { at, count } from "../json.ts";
import { type InvokeFamily, tokens } from "./family.ts";

/** Meta Llama: `{generation, prompt_token_count, generation_token_count}`. */
export const llama: InvokeFamily = {
  name: "llama",
  body(json) {
    const input = count(at(json, "prompt_token_count"));
    const output = count(at(json, "generation_token_count"));
    return input === undefined && output === undefined ? null : tokens(input, output);
  },
  /** `prompt_token_count` is set in the first chunk only (null after); `generation_token_count` is cumulative. */
  stream() {
    let input: number | undefined;
    let output: number | undefined;
    return {
      push(chunk) {
        input = count(at(chunk, "prompt_token_count")) ?? input;
        const generated = count(at(chunk, "generation_token_count"));
        if (generated !== undefined) output = Math.max(output ?? 0, generated);
      },
      counts: () => (input === undefined && output === undefined ? null : tokens(input, output)),
    };
  },
};
