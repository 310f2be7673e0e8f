/** GenerateQuery: natural language to a fixed SQL statement. */
import type { OpContext } from "../../context.ts";
import { jsonResponse } from "../../responses.ts";

export const generateQuery = (ctx: OpContext) =>
  jsonResponse(ctx, { queries: [{ type: "REDSHIFT_SQL", sql: "SELECT 'Hello from the Bedrock emulator.' AS reply;" }] });
