import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultKeySettings } from "../../src/keys/key-service.ts";
import { openStore } from "../../src/store/open-store.ts";
import type { SpendLogRow } from "../../src/store/spend-types.ts";
import type { Store } from "../../src/store/types.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const token = (n: number) => n.toString(16).padStart(64, "0");

function log(n: number, at: string, extra: Partial<SpendLogRow>): SpendLogRow {
  return {
    requestId: `agg-${n}`, startTime: at, endTime: at, apiKey: null, keyAlias: null, userId: null, teamId: null, endUser: null,
    route: "/model/m/converse", operation: "Converse", model: "m1", region: "us-east-1", status: 200, latencyMs: 10, ttfbMs: 5,
    inputTokens: 10, outputTokens: 20, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, spend: 0.5, usageSource: "converse-body",
    usageComplete: true, note: null, upstreamRequestId: null, attempts: null, requestBody: null, responseBody: null, ...extra,
  };
}

/** Six calls over two days and three hours; one failed, one without a price, one without a key. */
const rows: SpendLogRow[] = [
  log(1, "2030-01-01T10:15:00.000Z", { apiKey: token(1), keyAlias: "alpha", userId: "u1", model: "m1", spend: 1 }),
  log(2, "2030-01-01T10:45:00.000Z", { apiKey: token(1), keyAlias: "alpha", userId: "u1", model: "m2", spend: 2, endUser: "e1" }),
  log(3, "2030-01-01T11:05:00.000Z", { apiKey: token(2), keyAlias: "beta", teamId: "t1", model: "m1", spend: 4, status: 429 }),
  log(4, "2030-01-02T09:00:00.000Z", { apiKey: token(2), keyAlias: "beta", teamId: "t1", model: "m1", spend: null }),
  log(5, "2030-01-02T09:30:00.000Z", { apiKey: null, model: "m3", spend: 8 }),
  log(6, "2030-01-03T00:00:00.000Z", { apiKey: token(1), keyAlias: "alpha", model: "m1", spend: 16 }),
];

/** A month later, by team: two teams, one with an error and an unpriced call, a third small one, and a call without a team. */
const teamRows: SpendLogRow[] = [
  log(101, "2031-02-01T08:10:00.000Z", { teamId: "t2", spend: 3 }),
  log(102, "2031-02-01T08:40:00.000Z", { teamId: "t3", spend: 2 }),
  log(103, "2031-02-01T09:20:00.000Z", { teamId: "t2", spend: 5, status: 500 }),
  log(104, "2031-02-02T08:00:00.000Z", { teamId: "t2", spend: null }),
  log(105, "2031-02-02T10:00:00.000Z", { teamId: null, spend: 1 }),
  log(106, "2031-02-02T11:00:00.000Z", { teamId: "t4", spend: 0.5 }),
];

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("admin aggregates on %s", (_driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  let store: Store;
  const range = { from: "2030-01-01T00:00:00.000Z", until: "2030-01-03T00:00:00.000Z" };

  beforeAll(async () => {
    db = await makeDatabase();
    store = await openStore(db.url);
    await store.insertSpendLogs(rows.slice(0, 3));
    // A retried batch (rows already stored) must add nothing to the rollup.
    await store.insertSpendLogs(rows);
    await store.insertSpendLogs(teamRows);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("sums a day range by key, top groups first, the rest as other", async () => {
    const report = await store.spendReport({ ...range, bucket: "day", groupBy: "key", limit: 1 });
    // Row 6 starts exactly at the (exclusive) end; the call without a key spent most.
    expect(report.totals).toEqual({ spend: 15, requests: 5, errors: 1, inputTokens: 50, outputTokens: 100, unpricedRequests: 1 });
    expect(report.groups).toEqual([
      { group: null, label: null, other: false, spend: 8, requests: 1, errors: 0, inputTokens: 10, outputTokens: 20, unpricedRequests: 0 },
      { group: null, label: null, other: true, spend: 7, requests: 4, errors: 1, inputTokens: 40, outputTokens: 80, unpricedRequests: 1 },
    ]);
    const byBucket = (a: { bucket: string; other: boolean }, b: { bucket: string; other: boolean }) => (a.bucket + a.other < b.bucket + b.other ? -1 : 1);
    expect([...report.series].sort(byBucket)).toEqual([
      { bucket: "2030-01-01T00:00:00.000Z", group: null, other: true, spend: 7, requests: 3, errors: 1, inputTokens: 30, outputTokens: 60, unpricedRequests: 0 },
      { bucket: "2030-01-02T00:00:00.000Z", group: null, other: false, spend: 8, requests: 1, errors: 0, inputTokens: 10, outputTokens: 20, unpricedRequests: 0 },
      { bucket: "2030-01-02T00:00:00.000Z", group: null, other: true, spend: 0, requests: 1, errors: 0, inputTokens: 10, outputTokens: 20, unpricedRequests: 1 },
    ]);
    const labelled = await store.spendReport({ ...range, bucket: "day", groupBy: "key", limit: 3 });
    expect(labelled.groups.map((g) => [g.group, g.label, g.spend])).toEqual([[null, null, 8], [token(2), "beta", 4], [token(1), "alpha", 3]]);
  });

  it("buckets by hour and keeps calls without a value as their own group", async () => {
    const report = await store.spendReport({ from: "2030-01-01T10:00:00.000Z", until: "2030-01-01T12:00:00.000Z", bucket: "hour", groupBy: "user", limit: 5 });
    expect(report.groups.map((g) => [g.group, g.spend, g.requests])).toEqual([[null, 4, 1], ["u1", 3, 2]]);
    expect(report.series.map((p) => [p.bucket, p.group, p.spend])).toEqual([
      ["2030-01-01T10:00:00.000Z", "u1", 3],
      ["2030-01-01T11:00:00.000Z", null, 4],
    ]);
    const byModel = await store.spendReport({ ...range, bucket: "day", groupBy: "model", limit: 5 });
    expect(byModel.groups.map((g) => [g.group, g.spend])).toEqual([["m3", 8], ["m1", 5], ["m2", 2]]);
    const byEndUser = await store.spendReport({ ...range, bucket: "day", groupBy: "end_user", limit: 5 });
    expect(byEndUser.groups.map((g) => [g.group, g.requests])).toEqual([[null, 4], ["e1", 1]]);
  });

  it("groups by team: top teams, the rest (calls without a team included) as other, by day and by hour", async () => {
    const report = await store.spendReport({ from: "2031-02-01T00:00:00.000Z", until: "2031-02-03T00:00:00.000Z", bucket: "day", groupBy: "team", limit: 2 });
    expect(report.totals).toEqual({ spend: 11.5, requests: 6, errors: 1, inputTokens: 60, outputTokens: 120, unpricedRequests: 1 });
    expect(report.groups).toEqual([
      { group: "t2", label: null, other: false, spend: 8, requests: 3, errors: 1, inputTokens: 30, outputTokens: 60, unpricedRequests: 1 },
      { group: "t3", label: null, other: false, spend: 2, requests: 1, errors: 0, inputTokens: 10, outputTokens: 20, unpricedRequests: 0 },
      { group: null, label: null, other: true, spend: 1.5, requests: 2, errors: 0, inputTokens: 20, outputTokens: 40, unpricedRequests: 0 },
    ]);
    const point = (p: { bucket: string; group: string | null; other: boolean; spend: number; requests: number }) => [p.bucket.slice(0, 13), p.other ? "other" : p.group, p.spend, p.requests];
    const sorted = (points: ReturnType<typeof point>[]) => points.sort((a, b) => (`${a[0]} ${a[1]}` < `${b[0]} ${b[1]}` ? -1 : 1));
    expect(sorted(report.series.map(point))).toEqual([
      ["2031-02-01T00", "t2", 8, 2],
      ["2031-02-01T00", "t3", 2, 1],
      ["2031-02-02T00", "other", 1.5, 2],
      ["2031-02-02T00", "t2", 0, 1],
    ]);
    // Every team on its own (calls without a team as their own group), by hour on the first day.
    const hourly = await store.spendReport({ from: "2031-02-01T00:00:00.000Z", until: "2031-02-02T00:00:00.000Z", bucket: "hour", groupBy: "team", limit: 10 });
    expect(hourly.groups.map((g) => [g.group, g.spend, g.errors])).toEqual([["t2", 8, 1], ["t3", 2, 0]]);
    expect(sorted(hourly.series.map(point))).toEqual([
      ["2031-02-01T08", "t2", 3, 1],
      ["2031-02-01T08", "t3", 2, 1],
      ["2031-02-01T09", "t2", 5, 1],
    ]);
    const all = await store.spendReport({ from: "2031-02-01T00:00:00.000Z", until: "2031-02-03T00:00:00.000Z", bucket: "day", groupBy: "team", limit: 10 });
    expect(all.groups.map((g) => [g.group, g.spend])).toEqual([["t2", 8], ["t3", 2], [null, 1], ["t4", 0.5]]);
  });

  it("lists budgets by how much is used, and searches keys by text, state, owner and model", async () => {
    const base = { ...defaultKeySettings };
    await store.createKey({ token: token(1), keyName: "sk-...aaaa", ...base, keyAlias: "alpha", maxBudget: 10, models: ["m1"], userId: "u1" });
    await store.createKey({ token: token(2), keyName: "sk-...bbbb", ...base, keyAlias: "beta", maxBudget: 4, blocked: true, teamId: "t1" });
    await store.createKey({ token: token(3), keyName: "sk-...cccc", ...base, keyAlias: "gamma_50%", expires: "2001-01-01T00:00:00.000Z" });
    await store.upsertBudgetEntity("team", "t1", { maxBudget: 100 });
    await store.updateKey(token(2), { blocked: true });
    const budgets = await store.budgetUsage(10);
    // The team has spent 4 of 100 (rows 3 and 4); the keys were created after the calls and have spent nothing.
    expect(budgets.map((b) => [b.kind, b.id, b.label, b.spend, b.maxBudget])).toEqual([
      ["team", "t1", null, 4, 100],
      ["key", token(1), "alpha", 0, 10],
      ["key", token(2), "beta", 0, 4],
    ]);
    const now = new Date().toISOString();
    const search = async (q: Partial<Parameters<Store["searchKeys"]>[0]>) =>
      (await store.searchKeys({ now, offset: 0, limit: 10, ...q })).rows.map((r) => r.keyAlias).sort();
    expect(await search({ text: "ALP" })).toEqual(["alpha"]);
    expect(await search({ text: "50%" })).toEqual(["gamma_50%"]);
    expect(await search({ text: "%" })).toEqual(["gamma_50%"]);
    expect(await search({ text: "bbbb" })).toEqual(["beta"]);
    expect(await search({ text: token(2) })).toEqual(["beta"]);
    expect(await search({ state: "blocked" })).toEqual(["beta"]);
    expect(await search({ state: "expired" })).toEqual(["gamma_50%"]);
    expect(await search({ state: "active" })).toEqual(["alpha"]);
    expect(await search({ model: "m1" })).toEqual(["alpha"]);
    expect(await search({ teamId: "t1" })).toEqual(["beta"]);
    expect((await store.searchKeys({ now, offset: 1, limit: 1 })).total).toBe(3);
  });
});
