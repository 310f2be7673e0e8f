import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis, waitForRedis, type RedisConnection } from "../../src/redis/connection.ts";
import { redisBudgetLedger } from "../../src/spend/redis-ledger.ts";
import type { BudgetScope } from "../../src/spend/ledger.ts";
import type { Store } from "../../src/store/types.ts";
import { ownRedis, type OwnRedis } from "../support/redis-server.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Spend per key as the store has it (rows already written), with the store's budget window. */
function fakeStore(spend: Record<string, number>, resetAt: string | null = null) {
  let reads = 0;
  const store = {
    getKey: async (token: string) => (reads++, { token, spend: spend[token] ?? 0, budgetResetAt: resetAt }),
    getBudgetEntity: async (_kind: string, id: string) => (reads++, { spend: spend[id] ?? 0, budgetResetAt: resetAt }),
  } as unknown as Store;
  return { store, reads: () => reads };
}

const scope = (id: string, budgetDuration: string | null = null): BudgetScope => ({ kind: "key", id, maxBudget: 1, budgetDuration, budgetResetAt: null });

describe("redis budget ledger", () => {
  let connections: RedisConnection[] = [];
  const prefix = `gwtest:${crypto.randomUUID().slice(0, 8)}:`;
  const connect = async (url = REDIS_URL) => {
    const connection = connectRedis({ url, name: "ledger-test" });
    connections.push(connection);
    await waitForRedis(connection, 2_000);
    return connection;
  };
  afterAll(async () => {
    const c = connections[0];
    if (c?.healthy) {
      const keys = await c.client.keys(prefix + "*");
      if (keys.length) await c.client.del(...keys);
    }
    await Promise.all(connections.map((x) => x.close()));
  });

  it("seeds once from the store and shares every add between instances", async () => {
    const { store, reads } = fakeStore({ k1: 0.25 });
    const a = redisBudgetLedger({ connection: await connect(), store, prefix });
    const b = redisBudgetLedger({ connection: await connect(), store, prefix });
    expect(await a.spent(scope("k1"))).toBeCloseTo(0.25);
    await a.add([scope("k1")], 0.5);
    await b.add([scope("k1")], 0.125);
    expect(await b.spent(scope("k1"))).toBeCloseTo(0.875);
    expect(await a.spent(scope("k1"))).toBeCloseTo(0.875);
    expect(reads()).toBe(1);
  });

  it("names one counter per budget window, the same on every instance, and a new window starts from zero", async () => {
    const past = new Date(Date.now() - 1_000).toISOString();
    const { store } = fakeStore({ k2: 0.9 }, past);
    const a = redisBudgetLedger({ connection: await connect(), store, prefix });
    // The store's window ended and it has not reset yet: its 0.9 belongs to the last window.
    expect(await a.spent(scope("k2", "1d"))).toBe(0);
    await a.add([scope("k2", "1d")], 0.1);
    const keys = await connections[0].client.keys(`${prefix}spend:key:k2:*`);
    expect(keys).toHaveLength(1);
    const windowEnd = Number(keys[0].split(":").at(-1));
    expect(windowEnd).toBe(Date.parse(past) + 86_400_000);
    expect(await connections[0].client.pttl(keys[0])).toBeLessThanOrEqual(600_000);
  });

  describe("with a Redis of the test's own, stopped", () => {
    let own: OwnRedis | null;
    beforeAll(async () => {
      own = await ownRedis();
    });
    afterAll(async () => own?.stop());

    it("counts in memory while Redis is down, and uses Redis again once it is back", async (ctx) => {
      if (!own) return ctx.skip("redis-server is not installed");
      const { store } = fakeStore({ k3: 0.5 });
      const connection = await connect(own.url);
      const ledger = redisBudgetLedger({ connection, store, prefix });
      await ledger.add([scope("k3")], 0.25);
      await own.stop();
      const deadline = Date.now() + 5_000;
      while (connection.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Fresh in-process ledger seeded from the store (0.5), plus what is added meanwhile.
      await ledger.add([scope("k3")], 0.125);
      expect(await ledger.spent(scope("k3"))).toBeCloseTo(0.625);
      await own.start();
      await waitForRedis(connection, 10_000);
      // A fresh Redis (no persistence): the counter is seeded from the store again.
      expect(await ledger.spent(scope("k3"))).toBeCloseTo(0.5);
    }, 20_000);
  });
});
