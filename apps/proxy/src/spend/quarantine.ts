import type { SpendLogRow } from "../store/spend-types.ts";

const MAX_INT = 2_147_483_647;
const integerFields = ["status", "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheWriteInputTokens"] as const;
const textFields = ["requestId", "apiKey", "keyAlias", "userId", "teamId", "endUser", "route", "operation", "model", "region", "note", "upstreamRequestId"] as const;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The storable form of a row that the store refused on its own: integers clamped into the column's range, NUL and
 * unpaired surrogates replaced, bodies dropped, and each change written into the row's note so the original
 * numbers stay on record. `changes` empty: nothing to repair, the row cannot be stored as it is.
 */
export function quarantinedRow(row: SpendLogRow): { row: SpendLogRow; changes: string[] } {
  const out: SpendLogRow = { ...row, requestBody: null, responseBody: null };
  const changes: string[] = [];
  if (row.requestBody !== null || row.responseBody !== null) changes.push("bodies dropped");
  for (const field of integerFields) {
    const value = row[field];
    const clamped = Number.isFinite(value) ? Math.min(MAX_INT, Math.max(0, Math.trunc(value))) : 0;
    if (clamped !== value) {
      out[field] = clamped;
      changes.push(`${field} ${value} clamped to ${clamped}`);
    }
  }
  for (const field of ["latencyMs", "ttfbMs", "spend"] as const) {
    const value = row[field];
    if (value !== null && !Number.isFinite(value)) {
      if (field === "latencyMs") out.latencyMs = 0;
      else out[field] = null;
      changes.push(`${field} ${value} not stored`);
    }
  }
  for (const field of textFields) {
    const value = row[field];
    if (typeof value !== "string") continue;
    const clean = value.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATES, "\uFFFD");
    if (clean !== value) {
      out[field] = clean as never;
      changes.push(`${field} had NUL or unpaired surrogates`);
    }
  }
  if (changes.length) out.note = [`quarantined: ${changes.join("; ")}`, out.note].filter(Boolean).join(" | ");
  return { row: out, changes };
}
