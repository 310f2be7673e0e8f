/**
 * The tables the migrations create, as the records the store returns: each field's kind of value, in the record's
 * own order.
 */
import { Columns } from "./sql/columns.ts";
import type { KeyRow } from "./types.ts";
import type { BudgetEntityRow, SpendLogRow } from "./spend-types.ts";

export const keyColumns = new Columns<KeyRow>({
  token: "text", keyName: "text", keyAlias: "text", models: "json", allowedRoutes: "json", allowedRegions: "json",
  maxBudget: "number", budgetDuration: "text", budgetResetAt: "time", spend: "number", rpmLimit: "number", tpmLimit: "number",
  expires: "time", userId: "text", teamId: "text", metadata: "json", blocked: "bool", createdAt: "time", updatedAt: "time",
  awsAccessKeyId: "text", awsSecretCiphertext: "text",
});

export const budgetEntityColumns = new Columns<BudgetEntityRow>({
  kind: "text", id: "text", spend: "number", maxBudget: "number", budgetDuration: "text", budgetResetAt: "time",
  rpmLimit: "number", tpmLimit: "number", metadata: "json", allowedRegions: "json",
  requestCount: "number", lastRequestAt: "time", createdAt: "time", updatedAt: "time",
});

export const spendLogColumns = new Columns<SpendLogRow>({
  requestId: "text", startTime: "time", endTime: "time", apiKey: "text", keyAlias: "text", userId: "text", teamId: "text", endUser: "text",
  route: "text", operation: "text", model: "text", region: "text", status: "number", latencyMs: "number", ttfbMs: "number",
  inputTokens: "number", outputTokens: "number", cacheReadInputTokens: "number", cacheWriteInputTokens: "number", spend: "number",
  usageSource: "text", usageComplete: "bool", note: "text", upstreamRequestId: "text", attempts: "text", requestBody: "text", responseBody: "text",
});
