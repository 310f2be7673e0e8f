import { DatabaseSync } from "node:sqlite";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open.ts";
import type { SpendLogRow } from "../../src/store/spend-types.ts";
import { throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

/** A file store writes spend rows from a thread with its own connection; these check what callers rely on. */
describe("SQLite spend inserts on their own thread", () => {
  let db: ThrowawayDatabase;
  afterEach(() => db?.drop());
  const fileOf = (d: ThrowawayDatabase) => d.url.slice("sqlite:".length);

  it("a resolved insert is visible to the main connection: rows, key spend and entity totals", async () => {
    db = throwawaySqlite();
    const store = await openSqliteStore(fileOf(db));
    await store.upsertBudgetEntity("user", "u1", { maxBudget: 5 });
    expect(await store.insertSpendLogs([row("a", 0.25), row("b", 0.5)])).toBe(2);
    expect((await store.getBudgetEntity("user", "u1"))?.spend).toBeCloseTo(0.75);
    expect((await store.querySpendLogs({ limit: 10, offset: 0 })).rows.map((r) => r.requestId).sort()).toEqual(["a", "b"]);
    // A retried batch is not counted twice.
    expect(await store.insertSpendLogs([row("a", 0.25)])).toBe(0);
    expect((await store.getBudgetEntity("user", "u1"))?.spend).toBeCloseTo(0.75);
    await store.close();
  });

  it("close waits for batches already sent", async () => {
    db = throwawaySqlite();
    const store = await openSqliteStore(fileOf(db));
    const sent = Array.from({ length: 20 }, (_, i) => store.insertSpendLogs(Array.from({ length: 50 }, (_, j) => row(`r${i}-${j}`, 0.01))));
    await store.close();
    expect((await Promise.all(sent)).reduce((a, b) => a + b, 0)).toBe(1000);
    const check = new DatabaseSync(path.resolve(fileOf(db)));
    expect(check.prepare("SELECT COUNT(*) AS n FROM spend_logs").get()!.n).toBe(1000);
    check.close();
  });

  it("a failing insert rejects with SQLite's message, and the next batch works once the cause is gone", async () => {
    db = throwawaySqlite();
    const store = await openSqliteStore(fileOf(db));
    await store.insertSpendLogs([row("first", 0.1)]);
    const other = new DatabaseSync(path.resolve(fileOf(db)));
    other.exec("ALTER TABLE spend_logs RENAME TO spend_logs_away");
    await expect(store.insertSpendLogs([row("lost?", 0.1)])).rejects.toThrow(/spend_logs/);
    other.exec("ALTER TABLE spend_logs_away RENAME TO spend_logs");
    other.close();
    expect(await store.insertSpendLogs([row("lost?", 0.1)])).toBe(1);
    await store.close();
  });
});

function row(requestId: string, spend: number): SpendLogRow {
  return {
    requestId, startTime: new Date().toISOString(), endTime: new Date().toISOString(), apiKey: null, keyAlias: null, userId: "u1", teamId: null, endUser: null,
    route: "/model/m/converse", operation: "Converse", model: "m", region: "us-east-1", status: 200, latencyMs: 1, ttfbMs: 1,
    inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, spend, usageSource: "converse-body", usageComplete: true,
    note: null, upstreamRequestId: null, attempts: null, requestBody: null, responseBody: null,
  };
}
