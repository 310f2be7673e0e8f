import { describe, expect, it } from "vitest";
import { localInvalidation } from "../../src/keys/invalidation.ts";
import { createKeyCache, StoreUnavailableError } from "../../src/keys/key-cache.ts";
import type { KeyRow, Store } from "../../src/store/types.ts";

/** A store that can be switched off: reads then fail as a dead PostgreSQL's do (or hang). */
function flakyStore(rows: Map<string, Partial<KeyRow>>) {
  let mode: "up" | "refuse" | "hang" = "up";
  let reads = 0;
  const store = {
    getKey: async (token: string) => {
      reads++;
      if (mode === "refuse") throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      if (mode === "hang") return new Promise<never>(() => {});
      return (rows.get(token) as KeyRow) ?? null;
    },
  } as unknown as Store;
  return { store, set: (m: typeof mode) => (mode = m), reads: () => reads };
}

describe("key cache when the store is down", () => {
  it("serves a key read before, past its TTL, and re-checks the store at most every second", async () => {
    const { store, set, reads } = flakyStore(new Map([["a", { token: "a" }]]));
    const cache = createKeyCache({ store, invalidation: localInvalidation(), ttlMs: 10 });
    expect(await cache.get("a")).toMatchObject({ token: "a" });
    set("refuse");
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.get("a")).toMatchObject({ token: "a" });
    const before = reads();
    for (let i = 0; i < 5; i++) expect(await cache.get("a")).toMatchObject({ token: "a" });
    expect(reads()).toBe(before);
  });

  it("refuses an unseen key fast with StoreUnavailableError, also when the store hangs", async () => {
    const { store, set } = flakyStore(new Map());
    const cache = createKeyCache({ store, invalidation: localInvalidation(), lookupTimeoutMs: 50 });
    set("refuse");
    await expect(cache.get("new")).rejects.toBeInstanceOf(StoreUnavailableError);
    set("hang");
    const started = Date.now();
    await expect(cache.get("new")).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(500);
    set("up");
    expect(await cache.get("new")).toBeNull();
  });

  it("stops serving a stale key after staleIfErrorMs, and a full flush keeps it as a fallback", async () => {
    const { store, set } = flakyStore(new Map([["a", { token: "a" }]]));
    const invalidation = localInvalidation();
    const cache = createKeyCache({ store, invalidation, ttlMs: 5, staleIfErrorMs: 60 });
    await cache.get("a");
    await invalidation.publish(null as unknown as string);
    set("refuse");
    expect(await cache.get("a")).toMatchObject({ token: "a" });
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(cache.get("a")).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("a key invalidated by name is not served stale", async () => {
    const { store, set } = flakyStore(new Map([["a", { token: "a" }]]));
    const invalidation = localInvalidation();
    const cache = createKeyCache({ store, invalidation });
    await cache.get("a");
    await invalidation.publish("a");
    set("refuse");
    await expect(cache.get("a")).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
