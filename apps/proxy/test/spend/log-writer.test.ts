import { describe, expect, it } from "vitest";
import { createSpendLogWriter } from "../../src/spend/log-writer.ts";
import type { SpendLogRow } from "../../src/store/spend-types.ts";

const row = (id: string) => ({ requestId: id }) as SpendLogRow;

describe("createSpendLogWriter", () => {
  it("batches rows and writes them all on flush", async () => {
    const batches: string[][] = [];
    const writer = createSpendLogWriter({ insert: async (rows) => void batches.push(rows.map((r) => r.requestId)), intervalMs: 10_000, batchSize: 3 });
    for (const id of ["a", "b", "c", "d", "e"]) writer.enqueue(row(id));
    await writer.flush();
    expect(batches.flat()).toEqual(["a", "b", "c", "d", "e"]);
    expect(batches[0]).toEqual(["a", "b", "c"]);
    expect(writer.depth()).toBe(0);
    await writer.close();
  });

  it("keeps the rows while the store fails and writes them once it is back", async () => {
    let failures = 3;
    const stored: string[] = [];
    const writer = createSpendLogWriter({
      insert: async (rows) => {
        if (failures-- > 0) throw new Error("connection refused");
        stored.push(...rows.map((r) => r.requestId));
      },
      intervalMs: 5,
      minBackoffMs: 5,
    });
    writer.enqueue(row("a"));
    writer.enqueue(row("b"));
    await writer.flush(5_000);
    expect(stored).toEqual(["a", "b"]);
    expect(writer.dropped()).toBe(0);
    await writer.close();
  });

  it("drops the oldest rows beyond the queue bound, counted", async () => {
    const writer = createSpendLogWriter({ insert: async () => { throw new Error("down"); }, intervalMs: 10_000, maxQueue: 2, batchSize: 100 });
    for (const id of ["a", "b", "c", "d"]) writer.enqueue(row(id));
    expect([writer.depth(), writer.dropped()]).toEqual([2, 2]);
    await writer.flush(50);
  });

  it("after a batch is stored, keeps exactly the rows enqueued meanwhile, even when the full queue dropped some of the batch", async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const writer = createSpendLogWriter({
      insert: async (rows) => {
        batches.push(rows.map((r) => r.requestId));
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
      },
      intervalMs: 10_000,
      batchSize: 3,
      maxQueue: 4,
    });
    for (const id of ["a", "b", "c"]) writer.enqueue(row(id));
    // The batch a, b, c is being inserted; d and e arrive and push "a" out of the full queue.
    writer.enqueue(row("d"));
    writer.enqueue(row("e"));
    expect([writer.depth(), writer.dropped()]).toEqual([4, 1]);
    release();
    await writer.flush();
    expect(batches).toEqual([["a", "b", "c"], ["d", "e"]]);
    expect(writer.depth()).toBe(0);
    await writer.close();
  });
});

/** A store that refuses, as PostgreSQL does, any batch holding an integer out of `integer` range or a NUL. */
function strictStore() {
  const stored = new Map<string, SpendLogRow>();
  let down = false;
  return {
    stored,
    setDown: (value: boolean) => (down = value),
    insert: async (rows: SpendLogRow[]) => {
      if (down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      for (const r of rows) {
        if ((r.inputTokens ?? 0) > 2_147_483_647) throw Object.assign(new Error(`value "${r.inputTokens}" is out of range for type integer`), { code: "22003" });
        if (r.requestId === "unstorable") throw Object.assign(new Error("new row violates check constraint"), { code: "23514" });
      }
      for (const r of rows) if (!stored.has(r.requestId)) stored.set(r.requestId, r);
    },
  };
}

const full = (id: string, over: Partial<SpendLogRow> = {}) => ({ requestId: id, inputTokens: 5, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, status: 200, latencyMs: 1, ttfbMs: 1, spend: 0.1, note: null, requestBody: null, responseBody: null, ...over }) as SpendLogRow;

describe("a row that breaks its batch", () => {
  it("is isolated: the other rows are stored, it is stored clamped with the original in its note, and counted", async () => {
    const store = strictStore();
    const writer = createSpendLogWriter({ insert: store.insert, intervalMs: 10_000, batchSize: 50 });
    for (let i = 0; i < 20; i++) writer.enqueue(full(`r${i}`, i === 7 ? { inputTokens: 3e9 } : {}));
    await writer.flush(2_000);
    expect(store.stored.size).toBe(20);
    expect(store.stored.get("r7")).toMatchObject({ inputTokens: 2_147_483_647, note: expect.stringContaining("inputTokens 3000000000 clamped to 2147483647") });
    expect(store.stored.get("r8")).toMatchObject({ inputTokens: 5, note: null });
    expect([writer.quarantined(), writer.rejected(), writer.depth(), writer.failing()]).toEqual([1, 0, 0, false]);
    // Later rows are not blocked behind it.
    writer.enqueue(full("later"));
    await writer.flush(2_000);
    expect(store.stored.has("later")).toBe(true);
    await writer.close();
  });

  it("a row the store refuses even repaired is logged and given up; the rest are stored", async () => {
    const store = strictStore();
    const writer = createSpendLogWriter({ insert: store.insert, intervalMs: 10_000, batchSize: 50 });
    for (const id of ["a", "unstorable", "b"]) writer.enqueue(full(id, { requestBody: "{}" }));
    await writer.flush(2_000);
    expect([...store.stored.keys()].sort()).toEqual(["a", "b"]);
    expect([writer.rejected(), writer.depth()]).toEqual([1, 0]);
    await writer.close();
  });

  it("an outage (connection refused) is never taken for a bad row: everything waits, and says so", async () => {
    const store = strictStore();
    store.setDown(true);
    const writer = createSpendLogWriter({ insert: store.insert, intervalMs: 5, minBackoffMs: 5, maxBackoffMs: 20, batchSize: 50 });
    for (let i = 0; i < 5; i++) writer.enqueue(full(`r${i}`, i === 2 ? { inputTokens: 3e9 } : {}));
    await writer.flush(100);
    expect([writer.depth(), writer.failing(), writer.rejected(), store.stored.size]).toEqual([5, true, 0, 0]);
    store.setDown(false);
    await writer.flush(2_000);
    expect([writer.depth(), writer.failing(), store.stored.size, writer.quarantined()]).toEqual([0, false, 5, 1]);
    await writer.close();
  });
});
