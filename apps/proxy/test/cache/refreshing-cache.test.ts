import { describe, expect, it } from "vitest";
import { createRefreshingCache, StoreUnavailableError } from "../../src/cache/refreshing-cache.ts";
import { invalidationMessages } from "../../src/keys/invalidation-message.ts";

/** A store whose next answers the test decides: a value, or a failure. */
function store() {
  let next: () => Promise<string | null> = async () => "v1";
  let reads = 0;
  return {
    read: () => (reads++, next()),
    answer(fn: () => Promise<string | null>) {
      next = fn;
    },
    get reads() {
      return reads;
    },
  };
}

describe("refreshing cache: stale-if-error", () => {
  it("serves the last value read when the store fails after the TTL", async () => {
    const s = store();
    const cache = createRefreshingCache({ read: s.read, storeName: "test store", ttlMs: 0, lookupTimeoutMs: 50 });
    expect(await cache.get("k")).toBe("v1");
    s.answer(() => Promise.reject(new Error("down")));
    expect(await cache.get("k")).toBe("v1");
  });

  it("keeps the fallback when everything is expired while a read is in flight (a reconnect flush during an outage)", async () => {
    const s = store();
    const cache = createRefreshingCache({ read: s.read, storeName: "test store", ttlMs: 0, lookupTimeoutMs: 50 });
    expect(await cache.get("k")).toBe("v1");
    s.answer(() => new Promise(() => {})); // the store stops answering
    const inFlight = cache.get("k");
    cache.expireAll();
    expect(await inFlight).toBe("v1");
    // The next read fails too, and still has the value read before the outage to fall back on.
    expect(await cache.get("k")).toBe("v1");
  });

  it("an unseen key fails with StoreUnavailableError, and a deleted one has no fallback", async () => {
    const s = store();
    const cache = createRefreshingCache({ read: s.read, storeName: "test store", ttlMs: 0, lookupTimeoutMs: 50 });
    expect(await cache.get("k")).toBe("v1");
    cache.delete("k");
    s.answer(() => Promise.reject(new Error("down")));
    await expect(cache.get("k")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(cache.get("other")).rejects.toThrow(/cannot reach its test store/);
  });
});

describe("invalidation messages", () => {
  it("name the token for other senders, and are nothing to the sender itself", () => {
    const a = invalidationMessages();
    const b = invalidationMessages();
    const message = a.encode("abc123");
    expect(message.endsWith(":abc123")).toBe(true);
    expect(a.decode(message)).toBeUndefined();
    expect(b.decode(message)).toBe("abc123");
    expect(b.decode("abc123")).toBe("abc123");
  });
});
