/** Read-only aggregates over spend logs, keys and budgets: what the admin page shows. */
import type { KeyRow } from "../key-types.ts";

export type SpendGroupBy = "key" | "user" | "team" | "end_user" | "model";
export type SpendBucket = "hour" | "day";

export interface SpendFiguresRow {
  spend: number;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  unpricedRequests: number;
}

export interface SpendGroupRow extends SpendFiguresRow {
  /** null: no key / user / ... recorded on those calls. */
  group: string | null;
  label: string | null;
  /** The sum of every group beyond the query's limit. */
  other: boolean;
}

export interface SpendPointRow extends SpendFiguresRow {
  /** ISO-8601 start of the bucket (UTC). */
  bucket: string;
  group: string | null;
  other: boolean;
}

export interface SpendReportQuery {
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, exclusive. */
  until: string;
  bucket: SpendBucket;
  groupBy: SpendGroupBy;
  /** Groups shown before the rest is summed into one `other` group. */
  limit: number;
}

export interface SpendReportRows {
  totals: SpendFiguresRow;
  groups: SpendGroupRow[];
  series: SpendPointRow[];
}

export interface BudgetUsageRow {
  kind: "key" | "user" | "team" | "end_user";
  id: string;
  label: string | null;
  spend: number;
  maxBudget: number;
  budgetDuration: string | null;
  budgetResetAt: string | null;
}

export type KeyState = "active" | "blocked" | "expired";

export interface KeySearchQuery {
  /** Case-insensitive substring of alias, masked name, user, team, access key id; or a token hash prefix. */
  text?: string;
  state?: KeyState;
  userId?: string;
  teamId?: string;
  /** An exact entry of the key's model allow-list. */
  model?: string;
  /** ISO-8601: what "expired" is measured against. */
  now: string;
  offset: number;
  limit: number;
}

export interface AggregateStore {
  spendReport(query: SpendReportQuery): Promise<SpendReportRows>;
  /** Keys, users, teams and end users that have a max_budget, most used first. */
  budgetUsage(limit: number): Promise<BudgetUsageRow[]>;
  searchKeys(query: KeySearchQuery): Promise<{ rows: KeyRow[]; total: number }>;
}
