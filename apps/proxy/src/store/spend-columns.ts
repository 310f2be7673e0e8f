import type { BudgetEntityKind, SpendLogRow } from "./spend-types.ts";

/** SpendLogRow field → spend_logs column, in one place for both drivers. */
export const spendLogColumns: Record<keyof SpendLogRow, string> = {
  requestId: "request_id",
  startTime: "start_time",
  endTime: "end_time",
  apiKey: "api_key",
  keyAlias: "key_alias",
  userId: "user_id",
  teamId: "team_id",
  endUser: "end_user",
  route: "route",
  operation: "operation",
  model: "model",
  region: "region",
  status: "status",
  latencyMs: "latency_ms",
  ttfbMs: "ttfb_ms",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  cacheReadInputTokens: "cache_read_input_tokens",
  cacheWriteInputTokens: "cache_write_input_tokens",
  spend: "spend",
  usageSource: "usage_source",
  usageComplete: "usage_complete",
  note: "note",
  upstreamRequestId: "upstream_request_id",
  attempts: "attempts",
  requestBody: "request_body",
  responseBody: "response_body",
};

export interface EntityTotal {
  kind: BudgetEntityKind;
  id: string;
  spend: number;
  requests: number;
  lastRequestAt: string;
}

/** What a batch adds to each key and entity: spend (unknown cost counts 0) and, for entities, requests. */
export function spendTotals(rows: SpendLogRow[]): { keys: Map<string, number>; entities: EntityTotal[] } {
  const keys = new Map<string, number>();
  const entities = new Map<string, EntityTotal>();
  for (const row of rows) {
    const amount = row.spend ?? 0;
    if (row.apiKey !== null) keys.set(row.apiKey, (keys.get(row.apiKey) ?? 0) + amount);
    const refs: [BudgetEntityKind, string | null][] = [["user", row.userId], ["team", row.teamId], ["end_user", row.endUser]];
    for (const [kind, id] of refs) {
      if (id === null) continue;
      const ref = `${kind}\u0000${id}`;
      const total = entities.get(ref) ?? { kind, id, spend: 0, requests: 0, lastRequestAt: row.startTime };
      total.spend += amount;
      total.requests += 1;
      if (row.startTime > total.lastRequestAt) total.lastRequestAt = row.startTime;
      entities.set(ref, total);
    }
  }
  return { keys, entities: [...entities.values()] };
}
