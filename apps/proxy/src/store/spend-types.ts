/** Spend logs and budget entities: the rows the spend pipeline writes and the admin API reads. */
import type { UsageSource } from "../usage/types.ts";

/** One Bedrock request as recorded. Timestamps are ISO-8601 (UTC). */
export interface SpendLogRow {
  requestId: string;
  startTime: string;
  endTime: string;
  /** Token hash of the virtual key; null for the master key and open mode. */
  apiKey: string | null;
  keyAlias: string | null;
  userId: string | null;
  teamId: string | null;
  endUser: string | null;
  /** Raw path after `/bedrock`. */
  route: string;
  operation: string | null;
  model: string | null;
  region: string;
  status: number;
  latencyMs: number;
  ttfbMs: number | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** USD; null when it cannot be known (no price, usage not exposed). Never 0 for an unknown price. */
  spend: number | null;
  usageSource: UsageSource | null;
  usageComplete: boolean | null;
  note: string | null;
  upstreamRequestId: string | null;
  /** Failover: every upstream try as JSON (`[{"region", "status", "error"?, "ms"}]`); null for a call sent once. */
  attempts: string | null;
  /** Only with STORE_REQUEST_BODIES=true: truncated and redacted. */
  requestBody: string | null;
  responseBody: string | null;
}

export interface SpendLogFilter {
  apiKey?: string;
  userId?: string;
  endUser?: string;
  model?: string;
  /** ISO-8601, inclusive. */
  from?: string;
  /** ISO-8601, exclusive. */
  until?: string;
  offset: number;
  limit: number;
}

/** Spend holders besides keys (which keep their budget on the key row). */
export type BudgetEntityKind = "user" | "team" | "end_user";

export interface BudgetEntityRow {
  kind: BudgetEntityKind;
  id: string;
  /** USD in the current budget window. */
  spend: number;
  maxBudget: number | null;
  budgetDuration: string | null;
  budgetResetAt: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  metadata: Record<string, unknown>;
  /** Teams: data residency for every key of the team (allowed_regions); empty: any region. */
  allowedRegions: string[];
  requestCount: number;
  lastRequestAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The settings an admin can change. */
export const BUDGET_ENTITY_SETTINGS = [
  "maxBudget",
  "budgetDuration",
  "budgetResetAt",
  "rpmLimit",
  "tpmLimit",
  "metadata",
  "allowedRegions",
] as const satisfies readonly (keyof BudgetEntityRow)[];

export type BudgetEntityPatch = Partial<Pick<BudgetEntityRow, (typeof BUDGET_ENTITY_SETTINGS)[number]>>;

/** Store methods of the spend pipeline. */
export interface SpendStore {
  /**
   * In one transaction: inserts the rows (a request id already stored is skipped, so a retried batch counts once)
   * and adds each inserted row's spend to its key, user, team and end user (creating those entity rows as needed).
   * Returns how many rows were new.
   */
  insertSpendLogs(rows: SpendLogRow[]): Promise<number>;
  /** Newest first. */
  querySpendLogs(filter: SpendLogFilter): Promise<{ rows: SpendLogRow[]; total: number }>;
  getBudgetEntity(kind: BudgetEntityKind, id: string): Promise<BudgetEntityRow | null>;
  /** Creates the entity or applies `patch` to it; with `mustExist` a missing entity gives null and nothing is written. */
  upsertBudgetEntity(kind: BudgetEntityKind, id: string, patch: BudgetEntityPatch, options?: { mustExist?: boolean }): Promise<BudgetEntityRow | null>;
  /**
   * Starts a new budget window for keys and entities whose `budget_reset_at` has passed (spend → 0, next reset one
   * duration later), and sets `budget_reset_at` where a duration has none yet. Returns how many rows were reset.
   */
  resetExpiredBudgets(now: Date): Promise<number>;
}

/** `budget_reset_at` after `now`: whole durations after `from` (or `now` when there is no previous reset time). */
export function nextBudgetReset(from: string | null, durationMs: number, now: number): string {
  let at = from === null ? now + durationMs : Date.parse(from);
  if (Number.isNaN(at)) at = now + durationMs;
  if (at <= now) at += Math.ceil((now - at + 1) / durationMs) * durationMs;
  return new Date(at).toISOString();
}
