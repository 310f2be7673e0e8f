import { describe, expect, it, vi } from "vitest";
import { log } from "../../src/log.ts";
import { refreshingCache } from "../../src/resolve/refreshing-cache.ts";

describe("refreshing cache for control-plane answers", () => {
  it("answers from memory, serves a stale value while one refresh runs, shares concurrent misses", async () => {
    let clock = 0;
    let calls = 0;
    let answer = "model-a";
    const cache = refreshingCache(async () => (calls++, answer), { ttlMs: 1000, failureTtlMs: 100, maxEntries: 10, what: "test", now: () => clock });
    const [a, b] = await Promise.all([cache.get("k"), cache.get("k")]);
    expect([a, b, calls]).toEqual([{ value: "model-a" }, { value: "model-a" }, 1]);
    expect(await cache.get("k")).toEqual({ value: "model-a" });
    expect(calls).toBe(1);
    clock = 1500;
    answer = "model-b";
    expect(await cache.get("k")).toEqual({ value: "model-a" }); // stale, refresh started
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get("k")).toEqual({ value: "model-b" });
    expect(calls).toBe(2);
  });

  it("remembers a failure for failureTtlMs and logs it once per key until it succeeds", async () => {
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    let clock = 0;
    let calls = 0;
    let fail = true;
    const cache = refreshingCache(async () => {
      calls++;
      if (fail) throw new Error("404 ResourceNotFoundException");
      return "ok";
    }, { ttlMs: 1000, failureTtlMs: 100, maxEntries: 10, what: "test", now: () => clock });
    expect(await cache.get("k")).toEqual({ error: "404 ResourceNotFoundException" });
    expect(await cache.get("k")).toEqual({ error: "404 ResourceNotFoundException" });
    expect(calls).toBe(1);
    clock = 200;
    await cache.get("k");
    expect(calls).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    fail = false;
    clock = 400;
    expect(await cache.get("k")).toEqual({ value: "ok" });
    warn.mockRestore();
  });

  it("keeps at most maxEntries keys", async () => {
    const cache = refreshingCache(async (k) => k, { ttlMs: 1000, failureTtlMs: 100, maxEntries: 3, what: "test" });
    for (const k of ["a", "b", "c", "d", "e"]) await cache.get(k);
    expect(cache.size()).toBe(3);
  });
});
