import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Redis from "ioredis";
import postgres from "postgres";
import { startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv } from "../support/fixture.ts";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { throwawayPostgres, type ThrowawayDatabase } from "../support/databases.ts";
import { ownRedis, type OwnRedis } from "../support/redis-server.ts";
import { ownPostgres, type OwnPostgres } from "../support/postgres-server.ts";

/**
 * Several gateway processes behind no load balancer but the test's own round robin, sharing PostgreSQL and
 * Redis as operators run them. Outage tests use a Redis and a PostgreSQL of their own, never the shared ones.
 */
const MASTER = "sk-master-scale-out";
const NOVA = "amazon.nova-lite-v1:0";
const SHARED_REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const MINUTE = 60_000;

interface Reply {
  status: number;
  type: string | null;
  retryAfter: string | null;
  text: string;
}

interface CallOptions {
  stream?: boolean;
  usage?: { inputTokens?: number; outputTokens?: number };
  events?: number;
  eventDelayMs?: number;
  endUser?: string;
}

async function call(gateway: GatewayProcess, key: string, options: CallOptions = {}): Promise<Reply> {
  const emulator = { ...(options.usage && { usage: options.usage }), ...(options.events && { events: options.events }), ...(options.eventDelayMs && { eventDelayMs: options.eventDelayMs }) };
  const res = await fetch(`${gateway.url}/bedrock/model/${encodeURIComponent(NOVA)}/${options.stream ? "converse-stream" : "converse"}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(options.endUser && { "x-end-user-id": options.endUser }) },
    body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }], additionalModelRequestFields: { emulator } }),
  });
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("x-amzn-errortype"), retryAfter: res.headers.get("retry-after"), text };
}

async function admin(gateway: GatewayProcess, path: string, body: unknown): Promise<any> {
  const res = await fetch(gateway.url + path, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function readiness(gateway: GatewayProcess): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(gateway.url + "/health/readiness");
  return { status: res.status, body: await res.json() };
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Limits count per clock minute: start a counting test with at least `needMs` left in the current one. */
async function roomInWindow(needMs = 5_000) {
  const left = MINUTE - (Date.now() % MINUTE);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

const tally = (replies: Reply[]) => ({
  ok: replies.filter((r) => r.status === 200).length,
  throttled: replies.filter((r) => r.status === 429 && r.type === "ThrottlingException").length,
});

describe("three gateways on one PostgreSQL and one Redis", () => {
  let db: ThrowawayDatabase;
  let emulator: RunningEmulator;
  let gateways: GatewayProcess[] = [];
  let redis: Redis;
  const prefix = `gwtest:${crypto.randomUUID().slice(0, 8)}:`;

  beforeAll(async () => {
    [db, emulator] = await Promise.all([throwawayPostgres(), startEmulator({ port: 0 })]);
    redis = new Redis(SHARED_REDIS);
    const env = { ...emulatorEnv(emulator), MASTER_KEY: MASTER, DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS, REDIS_PREFIX: prefix };
    // The first one migrates; the others then start together.
    gateways = [await startGateway(env)];
    gateways.push(...(await Promise.all([startGateway(env), startGateway(env)])));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await emulator?.close();
    const keys = await redis.keys(prefix + "*");
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db?.drop();
  });

  it("rpm_limit 10: exactly 10 of 15 calls spread over the instances reach Bedrock; the rest get 429 with retry-after", async () => {
    const key = await admin(gateways[0], "/key/generate", { rpm_limit: 10 });
    await roomInWindow();
    const before = emulator.requests.length;
    const replies = await Promise.all(Array.from({ length: 15 }, (_, i) => call(gateways[i % 3], key.key)));
    expect(tally(replies)).toEqual({ ok: 10, throttled: 5 });
    expect(emulator.requests.length - before).toBe(10);
    const refused = replies.find((r) => r.status === 429)!;
    const secondsLeft = Math.ceil((MINUTE - (Date.now() % MINUTE)) / 1000);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(secondsLeft + 1);
    expect(JSON.parse(refused.text).message).toMatch(/rpm_limit 10 requests per minute/);
    // Every instance refuses now, each of them.
    for (const gateway of gateways) expect((await call(gateway, key.key)).status).toBe(429);
  });

  it("tpm_limit: streamed calls count their real tokens across instances; over the limit is refused before Bedrock", async () => {
    const key = await admin(gateways[0], "/key/generate", { tpm_limit: 100 });
    await roomInWindow();
    const windowStart = Math.floor(Date.now() / MINUTE) * MINUTE;
    // One hash field per instance; the counter is their sum.
    const counter = `${prefix}rl2:key:${key.token}:tpm:${windowStart}`;
    const tokens = async () => String(Object.values(await redis.hgetall(counter)).reduce((sum, v) => sum + Number(v), 0));
    const usage = { inputTokens: 30, outputTokens: 40 };
    const first = await call(gateways[0], key.key, { stream: true, usage });
    expect(first.status).toBe(200);
    // The estimate is replaced by the real 70 tokens once the stream ends.
    await until(tokens, (v) => v === "70");
    expect((await call(gateways[1], key.key, { stream: true, usage })).status).toBe(200);
    await until(tokens, (v) => v === "140");
    const before = emulator.requests.length;
    const refused = await call(gateways[2], key.key, { stream: true, usage });
    expect(refused).toMatchObject({ status: 429, type: "ThrottlingException" });
    expect(JSON.parse(refused.text).message).toMatch(/tpm_limit 100 tokens per minute/);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(emulator.requests.length).toBe(before);
  });

  it("a team's rpm_limit counts the calls of all its keys on all instances", async () => {
    await admin(gateways[0], "/team/new", { team_id: "t-scale", rpm_limit: 4 });
    const a = await admin(gateways[0], "/key/generate", { team_id: "t-scale" });
    const b = await admin(gateways[1], "/key/generate", { team_id: "t-scale" });
    await roomInWindow();
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => call(gateways[i % 3], i % 2 ? a.key : b.key)));
    expect(tally(replies)).toEqual({ ok: 4, throttled: 4 });
    expect(JSON.parse(replies.find((r) => r.status === 429)!.text).message).toMatch(/team "t-scale": rpm_limit 4/);
  });

  it("a budget spent on one instance is refused on the others", async () => {
    // The emulator's nova-lite usage at 10M input tokens costs well over $0.01.
    const key = await admin(gateways[0], "/key/generate", { max_budget: 0.01 });
    expect((await call(gateways[0], key.key, { usage: { inputTokens: 10_000_000, outputTokens: 10 } })).status).toBe(200);
    const refused = await until(() => call(gateways[1], key.key), (r) => r.status !== 200, 5_000);
    expect(refused).toMatchObject({ status: 403, type: "AccessDeniedException" });
    expect(JSON.parse(refused.text).message).toMatch(/Budget exceeded/);
    expect((await call(gateways[2], key.key)).status).toBe(403);
    const counters = await redis.keys(`${prefix}spend:key:${key.token}:*`);
    expect(counters).toHaveLength(1);
    expect(Number(await redis.get(counters[0]))).toBeGreaterThan(0.01);
  });

  it("readiness reports redis ok on every instance", async () => {
    for (const gateway of gateways) expect(await readiness(gateway)).toMatchObject({ status: 200, body: { status: "ok", redis: "ok" } });
  });
});

describe("Redis stopped and restarted mid-test (a Redis of the test's own)", () => {
  let db: ThrowawayDatabase;
  let emulator: RunningEmulator;
  let own: OwnRedis | null;
  let gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    own = await ownRedis();
    if (!own) return;
    [db, emulator] = await Promise.all([throwawayPostgres(), startEmulator({ port: 0 })]);
    const env = { ...emulatorEnv(emulator), MASTER_KEY: MASTER, DATABASE_URL: db.url, REDIS_URL: own.url };
    gateways = [await startGateway(env)];
    gateways.push(await startGateway(env));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await emulator?.close();
    await own?.stop();
    await db?.drop();
  });

  it("keeps serving with local limits and says so, then shares again once Redis is back", async (ctx) => {
    if (!own) return ctx.skip("redis-server is not installed");
    const key = await admin(gateways[0], "/key/generate", { rpm_limit: 3 });
    expect((await call(gateways[1], key.key)).status).toBe(200);

    await own.stop();
    for (const gateway of gateways) {
      const ready = await until(() => readiness(gateway), (r) => r.body.redis !== "ok");
      expect(ready.status).toBe(200);
      expect(ready.body.redis).toMatch(/^degraded: using local limits/);
    }
    await expect.poll(() => gateways[0].output.join("\n"), { timeout: 5_000 }).toMatch(/redis unavailable \(commands\): using local limits/);
    // Each instance now counts alone, and fails fast rather than waiting for Redis.
    await roomInWindow();
    const started = Date.now();
    const local = await Promise.all(Array.from({ length: 4 }, () => call(gateways[0], key.key)));
    expect(tally(local)).toEqual({ ok: 3, throttled: 1 });
    expect(Date.now() - started).toBeLessThan(2_000);
    const fresh = await admin(gateways[0], "/key/generate", { rpm_limit: 5 });
    expect((await call(gateways[1], fresh.key)).status).toBe(200);

    await own.start();
    for (const gateway of gateways) await until(() => readiness(gateway), (r) => r.body.redis === "ok", 15_000);
    // The log line travels through a pipe, and may reach the test after the readiness answer does.
    await expect.poll(() => gateways[1].output.join("\n"), { timeout: 5_000 }).toMatch(/redis is back \(commands\): sharing resumes/);
    const shared = await admin(gateways[0], "/key/generate", { rpm_limit: 4 });
    await roomInWindow();
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => call(gateways[i % 2], shared.key)));
    expect(tally(replies)).toEqual({ ok: 4, throttled: 4 });
    // Key changes travel over Redis again: a block on one instance reaches the other at once.
    await admin(gateways[0], "/key/block", { key: fresh.key });
    const blocked = await until(() => call(gateways[1], fresh.key), (r) => r.status !== 200, 1_000);
    expect(blocked.type).toBe("AccessDeniedException");
  }, 45_000);
});

describe("PostgreSQL restarted mid-test (a cluster of the test's own)", () => {
  let pg: OwnPostgres | { skip: string };
  let emulator: RunningEmulator;
  let gateways: GatewayProcess[] = [];
  const prefix = `gwtest:${crypto.randomUUID().slice(0, 8)}:`;

  beforeAll(async () => {
    [pg, emulator] = await Promise.all([ownPostgres(), startEmulator({ port: 0 })]);
    if ("skip" in pg) return;
    const env = { ...emulatorEnv(emulator), MASTER_KEY: MASTER, DATABASE_URL: pg.url, REDIS_URL: SHARED_REDIS, REDIS_PREFIX: prefix };
    gateways = [await startGateway(env)];
    gateways.push(await startGateway(env));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await emulator?.close();
    if (pg && !("skip" in pg)) pg.destroy();
  });

  it("cached keys keep working, unseen keys get 503, and every spend row is written once it is back", async (ctx) => {
    if ("skip" in pg) return ctx.skip(pg.skip);
    const server = pg;
    try {
      await outageScenario(server);
    } catch (error) {
      for (const g of gateways) console.error(`gateway ${g.port} exit=${g.child.exitCode}\n` + g.output.filter((l) => !l.includes('"bedrock request"')).slice(-30).join("\n"));
      throw error;
    }
  }, 60_000);

  async function outageScenario(server: OwnPostgres) {
    const key = await admin(gateways[0], "/key/generate", {});
    const unseen = await admin(gateways[0], "/key/generate", {});
    let made = 0;
    for (const gateway of gateways) {
      expect((await call(gateway, key.key)).status).toBe(200);
      made++;
    }

    server.stop();
    // Longer than the key cache's 5 s TTL: past it, the key is served from memory while the store is unreachable.
    const stoppedAt = Date.now();
    const during: Reply[] = [];
    for (let i = 0; Date.now() - stoppedAt < 6_000; i++) {
      during.push(...(await Promise.all([call(gateways[0], key.key, { stream: i % 2 === 0 }), call(gateways[1], key.key)])));
      await new Promise((r) => setTimeout(r, 200));
    }
    made += during.length;
    expect(during.filter((r) => r.status !== 200)).toEqual([]);
    await expect.poll(() => gateways[0].output.join("\n"), { timeout: 5_000 }).toMatch(/key store unreachable: serving keys read in the last 10 min from memory/);
    const refused = await call(gateways[0], unseen.key);
    made++;
    expect(refused).toMatchObject({ status: 503, type: "ServiceUnavailableException" });
    // Still serving, so still in rotation: degraded, not unavailable.
    expect(await readiness(gateways[0])).toMatchObject({ status: 200, body: { status: "degraded", storage: expect.stringMatching(/^degraded: unreachable/) } });

    await server.start();
    await until(() => readiness(gateways[1]), (r) => r.body.storage === "ok", 15_000);
    expect((await call(gateways[1], unseen.key)).status).toBe(200);
    made++;
    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      // The refused call is not logged (it never got past authentication); every other one is, exactly once.
      const rows = await until(async () => Number((await sql`SELECT count(*) AS n FROM spend_logs`)[0].n), (n) => n >= made - 1, 20_000);
      expect(rows).toBe(made - 1);
    } finally {
      await sql.end();
    }
  }
});

describe("graceful shutdown", () => {
  let db: ThrowawayDatabase;
  let emulator: RunningEmulator;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    [db, emulator] = await Promise.all([throwawayPostgres(), startEmulator({ port: 0 })]);
    gateway = await startGateway({ ...emulatorEnv(emulator), MASTER_KEY: MASTER, DATABASE_URL: db.url, SHUTDOWN_GRACE_MS: "10000" });
  });
  afterAll(async () => {
    await gateway?.stop();
    await emulator?.close();
    await db?.drop();
  });

  it("SIGTERM: new connections are refused, the running stream completes, its spend row is written, exit 0", async () => {
    const key = await admin(gateway, "/key/generate", {});
    const res = await fetch(`${gateway.url}/bedrock/model/${encodeURIComponent(NOVA)}/converse-stream`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }], additionalModelRequestFields: { emulator: { events: 8, eventDelayMs: 150 } } }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    const exited = new Promise<number | null>((resolve) => gateway.child.once("exit", (code) => resolve(code)));
    gateway.child.kill("SIGTERM");
    await until(async () => gateway.output.some((l) => l.includes("received SIGTERM")), (v) => v, 2_000);
    await expect(fetch(gateway.url + "/health/liveness")).rejects.toThrow();

    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    expect(bytes).toBeGreaterThan(0);
    expect(await exited).toBe(0);
    await expect.poll(() => gateway.output.join("\n"), { timeout: 5_000 }).toMatch(/shutdown complete/);
    expect(gateway.output.join("\n")).not.toMatch(/call\(s\) cut/);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql`SELECT status, output_tokens FROM spend_logs WHERE api_key = ${key.token}`;
      expect(row).toMatchObject({ status: 200 });
    } finally {
      await sql.end();
    }
  });
});
