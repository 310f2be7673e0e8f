/** StartAsyncInvoke / ListAsyncInvokes / GetAsyncInvoke: accepted and reported as completed at once. */
import type { OpContext } from "../../context.ts";
import { jsonResponse } from "../../responses.ts";

function invocationArn(region: string, id: string): string {
  return `arn:aws:bedrock:${region}:123456789012:async-invoke/${id}`;
}

function summary(ctx: OpContext, arn: string) {
  const now = new Date(ctx.options.now?.() ?? Date.now()).toISOString();
  return {
    invocationArn: arn,
    modelArn: `arn:aws:bedrock:${ctx.baseHeaders["x-emulator-signing-region"]}::foundation-model/amazon.nova-reel-v1:0`,
    status: "Completed",
    submitTime: now,
    lastModifiedTime: now,
    endTime: now,
    outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://emulator-bucket/async-invoke/" } },
  };
}

export function startAsyncInvoke(ctx: OpContext): Response {
  const id = ctx.requestId.replace(/-/g, "").slice(0, 12);
  return jsonResponse(ctx, { invocationArn: invocationArn(ctx.baseHeaders["x-emulator-signing-region"]!, id) });
}

export function listAsyncInvokes(ctx: OpContext): Response {
  const arn = invocationArn(ctx.baseHeaders["x-emulator-signing-region"]!, "emulator00001");
  return jsonResponse(ctx, { asyncInvokeSummaries: [summary(ctx, arn)] });
}

export function getAsyncInvoke(ctx: OpContext): Response {
  return jsonResponse(ctx, summary(ctx, ctx.params.invocationArn!));
}
