import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis, waitForRedis, type RedisConnection } from "../../src/redis/connection.ts";
import { failoverLimiter } from "../../src/limits/failover-limiter.ts";
import { localLimiter } from "../../src/limits/local-limiter.ts";
import { redisLimiter } from "../../src/limits/redis-limiter.ts";
import { redisInvalidation } from "../../src/keys/redis-invalidation.ts";
import { ownRedis, type OwnRedis } from "../support/redis-server.ts";

const MINUTE = 60_000;
const rpm = (scope: string, limit: number) => ({ scope, limit, amount: 1, mode: "fits" as const });

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

let server: OwnRedis | null;
beforeAll(async () => {
  server = await ownRedis();
  if (!server) console.warn("redis-server is not installed: the failover tests are skipped");
});
afterAll(async () => server?.stop());

describe("redis going away and coming back", () => {
  it("answers locally within milliseconds while Redis is down, and shares again once it is back", async () => {
    if (!server) return;
    const connection = connectRedis({ url: server.url, name: "test" });
    const states: boolean[] = [];
    connection.onChange((h) => states.push(h));
    expect(await waitForRedis(connection, 3_000)).toBe(true);
    const local = localLimiter();
    const limiter = failoverLimiter({ connection, shared: redisLimiter(connection.client, "t:"), local });
    expect(limiter.backend).toBe("redis");
    expect(await limiter.hit([rpm("k", 100)], MINUTE)).toMatchObject({ ok: true });
    expect(connection.status()).toBe("ok");

    await server.stop();
    await until(() => !connection.healthy);
    expect(connection.status()).toMatch(/^degraded: using local limits/);
    const started = Date.now();
    expect(await limiter.hit([rpm("k", 100)], MINUTE)).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(100);
    expect(limiter.backend).toBe("local");
    expect(await local.peek("k:", MINUTE)).toBe(0);
    expect(await local.peek("k", MINUTE)).toBe(1);

    await server.start();
    await until(() => connection.healthy, 10_000);
    expect(states).toEqual([true, false, true]);
    // A fresh server: the script is reloaded transparently (NOSCRIPT → EVAL) and counting starts again in Redis.
    expect(await limiter.hit([rpm("k", 100)], MINUTE)).toMatchObject({ ok: true });
    expect(limiter.backend).toBe("redis");
    expect(await connection.client.keys("t:rl:k:*")).toHaveLength(1);
    await connection.close();
  }, 30_000);

  it("key invalidation: reaches the other instance, and a reconnect flushes everything", async () => {
    if (!server) return;
    const conns: RedisConnection[] = ["a-pub", "a-sub", "b-pub", "b-sub"].map((name) => connectRedis({ url: server!.url, name }));
    await Promise.all(conns.map((c) => waitForRedis(c, 3_000)));
    const a = await redisInvalidation({ publisher: conns[0], subscriber: conns[1], prefix: "t:" });
    const b = await redisInvalidation({ publisher: conns[2], subscriber: conns[3], prefix: "t:" });
    const seenByB: (string | null)[] = [];
    b.subscribe((t) => seenByB.push(t));
    await a.publish("tok-1");
    await until(() => seenByB.includes("tok-1"));

    await server.stop();
    // Publishing while Redis is down does not throw: the change is committed; others catch up on expiry.
    await a.publish("tok-lost");
    await server.start();
    await until(() => seenByB.includes(null), 10_000);
    await until(() => conns.every((c) => c.healthy), 10_000);
    await a.publish("tok-2");
    await until(() => seenByB.includes("tok-2"));
    expect(seenByB).not.toContain("tok-lost");
    await a.close();
    await b.close();
    await Promise.all(conns.map((c) => c.close()));
  }, 30_000);
});
