/** AgenticRetrieveStream: streams the reply as responseEvent frames. */
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference } from "../../inference.ts";
import { streamResponse } from "../../responses.ts";

export function agenticRetrieveStream(ctx: OpContext): Response {
  const inf = runInference(ctx);
  function* events(): Generator<StreamEvent> {
    for (const text of inf.chunks) yield { eventType: "responseEvent", payload: { text } };
  }
  return streamResponse(ctx, events(), "internalServerException");
}
