/** ListTagsForResource / TagResource / UntagResource (DELETE with ?tagKeys=). */
import type { OpContext } from "../../context.ts";
import { jsonResponse } from "../../responses.ts";

export const listTags = (ctx: OpContext) => jsonResponse(ctx, { tags: { emulator: "true" } });
export const tagResource = (ctx: OpContext) => jsonResponse(ctx, {});
export const untagResource = (ctx: OpContext) => jsonResponse(ctx, {});
