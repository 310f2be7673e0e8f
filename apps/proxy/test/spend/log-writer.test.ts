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
