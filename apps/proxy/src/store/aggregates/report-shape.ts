import type { SpendFiguresRow, SpendGroupRow, SpendPointRow } from "./types.ts";

/** Raw figures as the rollup queries select them (aggregates/queries.ts). */
export interface FiguresColumns {
  spend: number | string | null;
  requests: number | string | bigint;
  errors: number | string | bigint | null;
  input_tokens: number | string | bigint | null;
  output_tokens: number | string | bigint | null;
  unpriced: number | string | bigint | null;
}

export function figures(row: FiguresColumns): SpendFiguresRow {
  return {
    spend: Number(row.spend ?? 0),
    requests: Number(row.requests),
    errors: Number(row.errors ?? 0),
    inputTokens: Number(row.input_tokens ?? 0),
    outputTokens: Number(row.output_tokens ?? 0),
    unpricedRequests: Number(row.unpriced ?? 0),
  };
}

function add(a: SpendFiguresRow, b: SpendFiguresRow): SpendFiguresRow {
  return {
    spend: a.spend + b.spend,
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    unpricedRequests: a.unpricedRequests + b.unpricedRequests,
  };
}

const zero: SpendFiguresRow = { spend: 0, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, unpricedRequests: 0 };

/**
 * Every group's figures (sorted by spend, then requests, by the database) → totals, the top `limit` groups, and
 * one `other` group for the rest. The series query then only distinguishes the top groups, so its size is
 * buckets × (limit + 1) whatever the number of distinct end users or keys.
 */
export function topGroups(all: Array<{ group: string | null; label: string | null } & SpendFiguresRow>, limit: number) {
  const top = all.slice(0, limit).map((g): SpendGroupRow => ({ ...g, other: false }));
  const rest = all.slice(limit);
  const totals = all.reduce<SpendFiguresRow>((sum, g) => add(sum, g), zero);
  const groups = rest.length ? [...top, { ...rest.reduce<SpendFiguresRow>((sum, g) => add(sum, g), zero), group: null, label: null, other: true }] : top;
  return { totals, groups, topIds: top.map((g) => g.group) };
}

/**
 * Series rows come back with a tag naming their group: `g:<id>` for a top group, `n` for the top group of calls
 * without a value, `o` for the rest. The bucket arrives as the text prefix of an ISO time (`2025-01-31T14` or
 * `2025-01-31`).
 */
export function seriesPoint(row: FiguresColumns & { bucket: string; tag: string }): SpendPointRow {
  const bucket = row.bucket.length === 10 ? `${row.bucket}T00:00:00.000Z` : `${row.bucket}:00:00.000Z`;
  const other = row.tag === "o";
  const group = row.tag.startsWith("g:") ? row.tag.slice(2) : null;
  return { bucket, group, other, ...figures(row) };
}

/**
 * The rollup rows a query reads: grain and the bucket keys (text prefixes of ISO times) of its range. `from` and
 * `until` must already be aligned to the grain (the route rounds them out).
 */
export function rollupRange(query: { from: string; until: string; bucket: "hour" | "day" }) {
  const length = query.bucket === "hour" ? 13 : 10;
  return { grain: query.bucket === "hour" ? "h" : "d", from: query.from.slice(0, length), until: query.until.slice(0, length) };
}

/** A rollup group back to the API's shape: '' stands for "no value recorded". */
export const groupOf = (grp: unknown): string | null => (grp === "" || grp === null || grp === undefined ? null : String(grp));
