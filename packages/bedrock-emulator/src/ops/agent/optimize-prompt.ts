/** OptimizePrompt: an event stream (analyzePromptEvent then optimizedPromptEvent), as the API defines it. */
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { jsonPath } from "../../json-path.ts";
import { streamResponse } from "../../responses.ts";

export function optimizePrompt(ctx: OpContext): Response {
  const original = jsonPath(ctx.body, ["input", "textPrompt", "text"]);
  const text = `Optimized: ${typeof original === "string" ? original : ""}`.trim();
  function* events(): Generator<StreamEvent> {
    yield { eventType: "analyzePromptEvent", payload: { message: "The prompt was analysed by the Bedrock emulator." } };
    yield { eventType: "optimizedPromptEvent", payload: { optimizedPrompt: { textPrompt: { text } } } };
  }
  return streamResponse(ctx, events(), "internalServerException");
}
