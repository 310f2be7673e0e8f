import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import { localLimiter } from "../../src/limits/local-limiter.ts";
import { redisLimiter } from "../../src/limits/redis-limiter.ts";
import type { LimitCheck, RateLimiter } from "../../src/limits/rate-limiter.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const MINUTE = 60_000;
// The middle of a window, so a test never straddles a boundary.
const T = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;

const rpm = (scope: string, limit: number): LimitCheck => ({ scope, limit, amount: 1, mode: "fits" });
const tpm = (scope: string, limit: number, amount: number): LimitCheck => ({ scope, limit, amount, mode: "below" });

let redis: Redis | null = null;
const prefix = `gwtest:${crypto.randomUUID().slice(0, 8)}:`;

beforeAll(async () => {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    redis = client;
  } catch {
    console.warn(`no Redis at ${REDIS_URL}: the Redis limiter tests are skipped`);
  }
});
afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(prefix + "*");
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe.each([
  ["local", () => localLimiter()],
  ["redis", () => (redis ? redisLimiter(redis, prefix + crypto.randomUUID().slice(0, 8) + ":") : null)],
] as const)("%s limiter", (name, make) => {
  const limiter = (): RateLimiter => {
    const made = make();
    if (!made) throw new Error("unavailable");
    return made;
  };
  const skip = () => name === "redis" && !redis;

  it("admits exactly the limit per window, then refuses with the seconds left in the window", async () => {
    if (skip()) return;
    const l = limiter();
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await l.hit([rpm("k", 10)], MINUTE, T));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results[10]).toMatchObject({ ok: false, check: { scope: "k", limit: 10 }, retryAfterSeconds: 30 });
    expect(await l.peek("k", MINUTE, T)).toBe(10);
    // The next window starts from zero.
    expect(await l.hit([rpm("k", 10)], MINUTE, T + MINUTE)).toMatchObject({ ok: true, windowStart: T - 30_000 + MINUTE });
  });

  it("is all or nothing over several scopes: a refusal increments none", async () => {
    if (skip()) return;
    const l = limiter();
    expect(await l.hit([rpm("a", 5), rpm("b", 1)], MINUTE, T)).toMatchObject({ ok: true });
    const refused = await l.hit([rpm("a", 5), rpm("b", 1)], MINUTE, T);
    expect(refused).toMatchObject({ ok: false, check: { scope: "b" } });
    expect(await l.peek("a", MINUTE, T)).toBe(1);
    expect(await l.peek("b", MINUTE, T)).toBe(1);
  });

  it("tokens: admits while below the limit, settles estimates up and down, never below zero", async () => {
    if (skip()) return;
    const l = limiter();
    const first = await l.hit([tpm("t", 1000, 300)], MINUTE, T);
    expect(first).toMatchObject({ ok: true });
    // Settled: the call used 900, not 300.
    await l.add("t", 600, MINUTE, (first as { windowStart: number }).windowStart);
    expect(await l.peek("t", MINUTE, T)).toBe(900);
    // Still below: admitted although the estimate overshoots.
    expect(await l.hit([tpm("t", 1000, 300)], MINUTE, T)).toMatchObject({ ok: true });
    expect(await l.hit([tpm("t", 1000, 1)], MINUTE, T)).toMatchObject({ ok: false, check: { scope: "t" } });
    await l.add("t", -5000, MINUTE, (first as { windowStart: number }).windowStart);
    expect(await l.peek("t", MINUTE, T)).toBe(0);
    // A release on a counter that does not exist creates nothing.
    await l.add("gone", -10, MINUTE, (first as { windowStart: number }).windowStart);
    expect(await l.peek("gone", MINUTE, T)).toBe(0);
  });

  it("a limit of 0 refuses everything", async () => {
    if (skip()) return;
    expect(await limiter().hit([rpm("zero", 0)], MINUTE, T)).toMatchObject({ ok: false });
  });

  it("stays exact under concurrency", async () => {
    if (skip()) return;
    const l = limiter();
    const results = await Promise.all(Array.from({ length: 50 }, () => l.hit([rpm("c", 17), tpm("c-t", 1_000_000, 10)], MINUTE, T)));
    expect(results.filter((r) => r.ok)).toHaveLength(17);
    expect(await l.peek("c-t", MINUTE, T)).toBe(170);
  });
});

describe("redis limiter", () => {
  it("shares counters between clients (instances) and sets an expiry on every counter", async () => {
    if (!redis) return;
    const p = prefix + "shared:";
    const other = new Redis(REDIS_URL);
    const [a, b] = [redisLimiter(redis, p), redisLimiter(other, p)];
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => (i % 2 ? a : b).hit([rpm("s", 10)], MINUTE)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const keys = await redis.keys(p + "*");
    expect(keys).toHaveLength(1);
    expect(await redis.pttl(keys[0])).toBeGreaterThan(MINUTE);
    other.disconnect();
  });
});
