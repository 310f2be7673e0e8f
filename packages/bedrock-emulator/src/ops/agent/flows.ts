/** InvokeFlow (event stream) and the flow-execution API (plausible static JSON). */
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse, streamResponse } from "../../responses.ts";

export function invokeFlow(ctx: OpContext): Response {
  const { replyText } = runInference(ctx);
  const executionId = crypto.randomUUID();
  function* events(): Generator<StreamEvent> {
    yield { eventType: "flowOutputEvent", payload: { nodeName: "FlowOutputNode", nodeType: "FlowOutputNode", content: { document: replyText } } };
    yield { eventType: "flowCompletionEvent", payload: { completionReason: "SUCCESS" } };
  }
  return streamResponse(ctx, events(), "internalServerException", { "x-amz-bedrock-flow-execution-id": executionId });
}

function executionArn(ctx: OpContext, executionId: string): string {
  const region = ctx.baseHeaders["x-emulator-signing-region"];
  return `arn:aws:bedrock:${region}:123456789012:flow/${ctx.params.flowIdentifier}/alias/${ctx.params.flowAliasIdentifier ?? "TSTALIASID"}/execution/${executionId}`;
}

export const startFlowExecution = (ctx: OpContext) => jsonResponse(ctx, { executionArn: executionArn(ctx, crypto.randomUUID()) });
export const stopFlowExecution = (ctx: OpContext) =>
  jsonResponse(ctx, { executionArn: executionArn(ctx, ctx.params.executionIdentifier!), status: "Aborted" });
export const listFlowExecutions = (ctx: OpContext) => jsonResponse(ctx, { flowExecutionSummaries: [] });
export const listFlowExecutionEvents = (ctx: OpContext) => jsonResponse(ctx, { flowExecutionEvents: [] });
export const getFlowExecution = (ctx: OpContext) => {
  const now = new Date().toISOString();
  return jsonResponse(ctx, {
    executionArn: executionArn(ctx, ctx.params.executionIdentifier!),
    status: "Succeeded",
    startedAt: now,
    endedAt: now,
    flowAliasIdentifier: ctx.params.flowAliasIdentifier,
    flowIdentifier: ctx.params.flowIdentifier,
    flowVersion: "1",
  });
};
export const getExecutionFlowSnapshot = (ctx: OpContext) =>
  jsonResponse(ctx, {
    flowIdentifier: ctx.params.flowIdentifier,
    flowAliasIdentifier: ctx.params.flowAliasIdentifier,
    flowVersion: "1",
    executionRoleArn: "arn:aws:iam::123456789012:role/emulator",
    definition: "{}",
  });
