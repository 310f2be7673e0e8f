/** Session management API: stateless, echoes plausible session records. */
import type { OpContext } from "../../context.ts";
import { jsonResponse } from "../../responses.ts";

function record(ctx: OpContext, sessionId: string) {
  const region = ctx.baseHeaders["x-emulator-signing-region"];
  const now = new Date(ctx.options.now?.() ?? Date.now()).toISOString();
  return {
    sessionId,
    sessionArn: `arn:aws:bedrock:${region}:123456789012:session/${sessionId}`,
    sessionStatus: "ACTIVE",
    createdAt: now,
    lastUpdatedAt: now,
  };
}

const idOf = (ctx: OpContext) => ctx.params.sessionIdentifier!;

export const createSession = (ctx: OpContext) => {
  const { lastUpdatedAt: _, ...created } = record(ctx, crypto.randomUUID());
  return jsonResponse(ctx, created, 201);
};
export const listSessions = (ctx: OpContext) => jsonResponse(ctx, { sessionSummaries: [record(ctx, "emulator-session")] });
export const getSession = (ctx: OpContext) => jsonResponse(ctx, { ...record(ctx, idOf(ctx)), sessionMetadata: {} });
export const updateSession = (ctx: OpContext) => jsonResponse(ctx, record(ctx, idOf(ctx)));
export const endSession = (ctx: OpContext) => {
  const { sessionId, sessionArn } = record(ctx, idOf(ctx));
  return jsonResponse(ctx, { sessionId, sessionArn, sessionStatus: "ENDED" });
};
export const deleteSession = (ctx: OpContext) => jsonResponse(ctx, {});

export const createInvocation = (ctx: OpContext) =>
  jsonResponse(ctx, { sessionId: idOf(ctx), invocationId: crypto.randomUUID(), createdAt: new Date().toISOString() }, 201);
export const listInvocations = (ctx: OpContext) => jsonResponse(ctx, { invocationSummaries: [] });
export const putInvocationStep = (ctx: OpContext) => jsonResponse(ctx, { invocationStepId: crypto.randomUUID() }, 201);
export const listInvocationSteps = (ctx: OpContext) => jsonResponse(ctx, { invocationStepSummaries: [] });
export const getInvocationStep = (ctx: OpContext) =>
  jsonResponse(ctx, {
    invocationStep: {
      sessionId: idOf(ctx),
      invocationId: typeof ctx.body.invocationIdentifier === "string" ? ctx.body.invocationIdentifier : "emulator-invocation",
      invocationStepId: ctx.params.invocationStepId!,
      invocationStepTime: new Date().toISOString(),
      payload: { contentBlocks: [{ text: "Hello from the Bedrock emulator." }] },
    },
  });
