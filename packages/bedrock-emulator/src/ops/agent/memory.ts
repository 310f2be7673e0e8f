/** GetAgentMemory / DeleteAgentMemory */
import type { OpContext } from "../../context.ts";
import { emptyResponse, jsonResponse } from "../../responses.ts";

export function getAgentMemory(ctx: OpContext): Response {
  const now = ctx.options.now?.() ?? Date.now();
  const memoryId = typeof ctx.query.memoryId === "string" ? ctx.query.memoryId : "emulator-memory";
  return jsonResponse(ctx, {
    memoryContents: [
      {
        sessionSummary: {
          memoryId,
          sessionId: "emulator-session",
          sessionStartTime: new Date(now - 60_000).toISOString(),
          sessionExpiryTime: new Date(now + 86_400_000).toISOString(),
          summaryText: "The user greeted the Bedrock emulator.",
        },
      },
    ],
  });
}

export function deleteAgentMemory(ctx: OpContext): Response {
  // AWS answers DeleteAgentMemory with 202 and no body.
  return emptyResponse(ctx, 202);
}
