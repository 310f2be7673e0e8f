import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open.ts";
import { localBudgetLedger, type BudgetScope } from "../../src/spend/ledger.ts";

const user = (extra: Partial<BudgetScope> = {}): BudgetScope => ({ kind: "user", id: "u1", maxBudget: 1, budgetDuration: null, budgetResetAt: null, ...extra });

describe("localBudgetLedger", () => {
  it("seeds a scope from the store once, then counts in memory", async () => {
    const store = await openSqliteStore(":memory:");
    await store.upsertBudgetEntity("user", "u1", { maxBudget: 1 });
    await store.insertSpendLogs([row("r1", 0.25)]);
    const ledger = localBudgetLedger(store);
    expect(await ledger.spent(user())).toBeCloseTo(0.25);
    await ledger.add([user()], 0.5);
    // A flush of the same call later must not count it twice: the ledger does not re-read.
    await store.insertSpendLogs([row("r2", 0.5)]);
    expect(await ledger.spent(user())).toBeCloseTo(0.75);
    await store.close();
  });

  it("reserve: 200 concurrent reservations of $0.0003 on a $0.001 budget, 4 granted; settling replaces them with the real cost", async () => {
    const store = await openSqliteStore(":memory:");
    await store.upsertBudgetEntity("user", "u1", { maxBudget: 0.001 });
    const ledger = localBudgetLedger(store);
    const scope = { ...user(), maxBudget: 0.001 };
    const results = await Promise.all(Array.from({ length: 200 }, () => ledger.reserve([scope], 0.0003)));
    expect(results.filter((r) => r === null)).toHaveLength(4);
    expect(results.find((r) => r !== null)).toMatchObject({ scope: { kind: "user", id: "u1" } });
    for (let i = 0; i < 4; i++) await ledger.add([scope], 0.0001 - 0.0003);
    expect(await ledger.spent(scope)).toBeCloseTo(0.0004);
    expect(await ledger.reserve([scope], 0.0003)).toBeNull();
    await store.close();
  });

  it("starts a new window at 0 when the budget duration ends", async () => {
    const store = await openSqliteStore(":memory:");
    let now = Date.parse("2030-01-01T00:00:00Z");
    let windows = 0;
    const ledger = localBudgetLedger(store, { now: () => now, onWindowEnd: () => windows++ });
    const scope = user({ budgetDuration: "1h", budgetResetAt: "2030-01-01T01:00:00.000Z" });
    await ledger.add([scope], 0.9);
    expect(await ledger.spent(scope)).toBeCloseTo(0.9);
    now += 3_600_000;
    expect(await ledger.spent(scope)).toBe(0);
    expect(windows).toBe(1);
    await ledger.add([scope], 0.1);
    now += 1_000;
    expect(await ledger.spent(scope)).toBeCloseTo(0.1);
    await store.close();
  });

  it("resetExpiredBudgets zeroes keys and entities past their reset time and schedules the next", async () => {
    const store = await openSqliteStore(":memory:");
    await store.upsertBudgetEntity("team", "t1", { maxBudget: 5, budgetDuration: "1d", budgetResetAt: "2020-01-01T00:00:00.000Z" });
    await store.insertSpendLogs([{ ...row("r1", 2), userId: null, teamId: "t1" }]);
    expect((await store.getBudgetEntity("team", "t1"))!.spend).toBe(2);
    const now = new Date("2020-01-03T12:00:00Z");
    expect(await store.resetExpiredBudgets(now)).toBe(1);
    const team = (await store.getBudgetEntity("team", "t1"))!;
    expect([team.spend, team.budgetResetAt]).toEqual([0, "2020-01-04T00:00:00.000Z"]);
    await store.close();
  });
});

function row(requestId: string, spend: number) {
  return {
    requestId, startTime: new Date().toISOString(), endTime: new Date().toISOString(), apiKey: null, keyAlias: null, userId: "u1", teamId: null, endUser: null,
    route: "/model/m/converse", operation: "Converse", model: "m", region: "us-east-1", status: 200, latencyMs: 1, ttfbMs: 1,
    inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, spend, usageSource: "converse-body" as const, usageComplete: true,
    note: null, upstreamRequestId: null, attempts: null, requestBody: null, responseBody: null,
  };
}
