/** InvokeAgent (and InvokeInlineAgent): `chunk` events with base64 text, plus `trace` events when enableTrace. */
import { utf8ToBase64 } from "../../base64.ts";
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference, type Inference } from "../../inference.ts";
import { latencyMs, streamResponse } from "../../responses.ts";

export function invokeAgent(ctx: OpContext): Response {
  const sessionId = ctx.params.sessionId!;
  const inf = runInference(ctx);
  const headers: Record<string, string> = {
    "x-amz-bedrock-agent-session-id": sessionId,
    "x-amzn-bedrock-agent-content-type": "application/json",
  };
  if (typeof ctx.body.memoryId === "string") headers["x-amz-bedrock-agent-memory-id"] = ctx.body.memoryId;
  const sourceArn = ctx.request.headers.get("x-amz-source-arn");
  if (sourceArn !== null) headers["x-emulator-source-arn"] = sourceArn;
  return streamResponse(ctx, events(ctx, sessionId, inf), "internalServerException", headers);
}

function* events(ctx: OpContext, sessionId: string, inf: Inference): Generator<StreamEvent> {
  const agentId = ctx.params.agentId ?? "INLINE";
  const agentAliasId = ctx.params.agentAliasId ?? "INLINE";
  if (ctx.body.enableTrace === true) {
    const traceId = `${ctx.requestId}-0`;
    yield {
      eventType: "trace",
      payload: {
        agentId,
        agentAliasId,
        agentVersion: "1",
        sessionId,
        eventTime: new Date(ctx.options.now?.() ?? Date.now()).toISOString(),
        trace: {
          orchestrationTrace: {
            modelInvocationOutput: {
              traceId,
              rawResponse: { content: inf.replyText },
              metadata: {
                usage: { inputTokens: inf.usage.inputTokens, outputTokens: inf.usage.outputTokens },
                totalTimeMs: latencyMs(ctx),
              },
            },
          },
        },
      },
    };
  }
  for (const text of inf.chunks) yield { eventType: "chunk", payload: { bytes: utf8ToBase64(text) } };
}
