import { describe, expect, it } from "vitest";
import { localInvalidation } from "../../src/keys/invalidation.ts";
import { createKeyCache } from "../../src/keys/key-cache.ts";
import { parseDuration } from "../../src/keys/duration.ts";
import { generateSecret, hashSecret, tokenOf } from "../../src/keys/secret.ts";
import type { KeyRow, Store } from "../../src/store/types.ts";

function countingStore(rows: Map<string, Partial<KeyRow>>) {
  let reads = 0;
  const store = {
    getKey: async (token: string) => {
      reads++;
      // The row is read now and delivered later, like a query that returns after a concurrent write.
      const row = (rows.get(token) as KeyRow) ?? null;
      await new Promise((r) => setTimeout(r, 5));
      return row;
    },
  } as unknown as Store;
  return { store, reads: () => reads };
}

describe("key cache", () => {
  it("serves repeated and concurrent lookups from one store read until invalidated", async () => {
    const rows = new Map([["a", { token: "a", blocked: false }]]);
    const { store, reads } = countingStore(rows);
    const invalidation = localInvalidation();
    const cache = createKeyCache({ store, invalidation });
    await Promise.all([cache.get("a"), cache.get("a"), cache.get("a")]);
    await cache.get("a");
    expect(reads()).toBe(1);
    rows.set("a", { token: "a", blocked: true });
    await invalidation.publish("a");
    expect(await cache.get("a")).toMatchObject({ blocked: true });
    expect(reads()).toBe(2);
  });

  it("does not keep a read that an invalidation overtook", async () => {
    const rows = new Map([["a", { token: "a", blocked: false }]]);
    const { store, reads } = countingStore(rows);
    const invalidation = localInvalidation();
    const cache = createKeyCache({ store, invalidation });
    const inFlight = cache.get("a");
    rows.set("a", { token: "a", blocked: true });
    await invalidation.publish("a");
    expect(await inFlight).toMatchObject({ blocked: false });
    expect(await cache.get("a")).toMatchObject({ blocked: true });
    expect(reads()).toBe(2);
  });

  it("remembers unknown keys briefly, expires entries, and stays bounded", async () => {
    const { store, reads } = countingStore(new Map());
    const cache = createKeyCache({ store, invalidation: localInvalidation(), negativeTtlMs: 20, maxEntries: 2 });
    expect(await cache.get("x")).toBeNull();
    expect(await cache.get("x")).toBeNull();
    expect(reads()).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    await cache.get("x");
    expect(reads()).toBe(2);
    await cache.get("y");
    await cache.get("z");
    await cache.get("x");
    expect(reads()).toBe(5);
  });

  it("flushes everything on a null invalidation", async () => {
    const { store, reads } = countingStore(new Map([["a", { token: "a" }]]));
    const cache = createKeyCache({ store, invalidation: localInvalidation() });
    await cache.get("a");
    cache.invalidate(null);
    await cache.get("a");
    expect(reads()).toBe(2);
  });
});

describe("secrets and durations", () => {
  it("mints distinct sk- secrets and names keys by secret or token", () => {
    const a = generateSecret();
    expect(a).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(a);
    expect(tokenOf(a)).toBe(hashSecret(a));
    expect(tokenOf(hashSecret(a))).toBe(hashSecret(a));
  });

  it.each([
    ["30s", 30_000],
    ["15m", 900_000],
    ["24h", 86_400_000],
    ["30d", 2_592_000_000],
    ["0s", 0],
    ["1w", null],
    ["-1d", null],
    ["1.5h", null],
    [" 1h", null],
    ["99999999999d", null],
  ])("%s → %s", (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });
});
