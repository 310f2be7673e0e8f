import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { ownPostgresStack, type OwnPostgresStack } from "../support/own-postgres-stack.ts";

/**
 * Storage faults on a PostgreSQL cluster of the test's own (stopped, restarted) and a gateway killed outright:
 * no client ever sees the database's address, no answered call loses its spend row, a row the store refuses does
 * not block the others.
 */
const MASTER = "sk-master-storage-faults";
const NOVA = "amazon.nova-lite-v1:0";

interface Reply {
  status: number;
  type: string | null;
  text: string;
  upstreamId: string | null;
}

async function call(gateway: GatewayProcess, key: string, options: { endUser?: string; usage?: Record<string, number>; stream?: boolean } = {}): Promise<Reply> {
  const res = await fetch(`${gateway.url}/bedrock/model/${encodeURIComponent(NOVA)}/${options.stream ? "converse-stream" : "converse"}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(options.endUser && { "x-end-user-id": options.endUser }) },
    body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }], additionalModelRequestFields: { emulator: options.usage ? { usage: options.usage } : {} } }),
  });
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("x-amzn-errortype"), text, upstreamId: res.status === 200 ? res.headers.get("x-amzn-requestid") : null };
}

async function admin(gateway: GatewayProcess, pathname: string, body: unknown): Promise<any> {
  const res = await fetch(gateway.url + pathname, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function readiness(gateway: GatewayProcess): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(gateway.url + "/health/readiness");
  return { status: res.status, body: await res.json() };
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error) => error as T);
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms; last: ${String(value instanceof Error ? value.message : JSON.stringify(value))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("storage faults (a PostgreSQL cluster of the test's own)", () => {
  let own: OwnPostgresStack | { skip: string };
  beforeAll(async () => {
    own = await ownPostgresStack(MASTER);
  }, 60_000);
  afterAll(async () => {
    if (own && !("skip" in own)) await own.stop();
  });

  it("a store outage is a generic 503 ServiceUnavailableException, never a 500 naming the database", async (ctx) => {
    if ("skip" in own) return ctx.skip(own.skip);
    const stack = own;
    const server = stack.pg;
    const g = stack.gateway;
    const key = await admin(g, "/key/generate", {});
    const unseenKey = await admin(g, "/key/generate", {});
    await until(() => call(g, key.key, { endUser: "seen" }), (r) => r.status === 200);

    server.stop();
    try {
      await sleep(5_200); // past the key cache's TTL: the key is now served from memory
      const replies = [await call(g, key.key, { endUser: "never-seen-end-user" }), await call(g, unseenKey.key)];
      for (const reply of replies) {
        expect(reply).toMatchObject({ status: 503, type: "ServiceUnavailableException" });
        expect(reply.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|5432|postgres|:\d{4,5}/i);
        expect(JSON.parse(reply.text).message).toMatch(/temporarily unavailable/);
      }
      // The operator still learns the cause.
      await expect.poll(() => g.output.join("\n"), { timeout: 5_000 }).toMatch(/storage unavailable: request answered 503/);
      const ready = await readiness(g);
      expect(ready).toMatchObject({ status: 200, body: { status: "degraded" } });
    } finally {
      await server.start();
    }
    await until(() => readiness(g), (r) => r.body.storage === "ok");
    expect(g.child.exitCode).toBeNull();
  }, 60_000);

  it("a restart under load: no answer is a 500, and every answered call has its spend row", async (ctx) => {
    if ("skip" in own) return ctx.skip(own.skip);
    const stack = own;
    const server = stack.pg;
    const g = stack.gateway;
    const key = await admin(g, "/key/generate", {});
    await until(() => call(g, key.key), (r) => r.status === 200);
    const replies: Reply[] = [];
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        // New end users throughout: each one is a store read the outage can break.
        replies.push(...(await Promise.all([call(g, key.key, { endUser: `eu-${i}` }), call(g, key.key, { stream: true }), call(g, key.key, { endUser: "steady" })])));
        await sleep(20);
      }
    })();
    const ok = () => replies.filter((r) => r.status === 200).length;
    // Enough answered calls before the outage and after it, however fast this machine runs today.
    await until(async () => ok(), (n) => n >= 10, 20_000);
    server.stop();
    await sleep(2_000);
    await server.start();
    // Until the gateway reads its store again, then until it has answered calls on the restarted database too.
    await until(() => readiness(g), (r) => r.body.storage === "ok");
    const beforeRestart = ok();
    await until(async () => ok(), (n) => n >= beforeRestart + 10, 20_000);
    stop = true;
    await load;

    const statuses = new Map<number, number>();
    for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect([...statuses.keys()].every((s) => s === 200 || s === 503), JSON.stringify([...statuses])).toBe(true);
    for (const r of replies.filter((r) => r.status === 503)) expect(r.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    const answered = replies.filter((r) => r.status === 200).map((r) => r.upstreamId!);
    expect(answered.length).toBeGreaterThanOrEqual(20);
    const stored = await until(() => stack.storedUpstreamIds(), (ids) => answered.every((id) => ids.has(id)), 20_000);
    expect(answered.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);

  it("a row with 3e9 tokens (out of integer range) is stored clamped and quarantined; the rows around it are stored; readiness recovers", async (ctx) => {
    if ("skip" in own) return ctx.skip(own.skip);
    const stack = own;
    const server = stack.pg;
    const g = stack.gateway;
    const key = await admin(g, "/key/generate", {});
    const replies = await Promise.all([
      ...Array.from({ length: 5 }, () => call(g, key.key)),
      call(g, key.key, { usage: { inputTokens: 3e9, outputTokens: 10 } }),
      ...Array.from({ length: 5 }, () => call(g, key.key)),
    ]);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const ids = replies.map((r) => r.upstreamId!);
    await until(() => stack.storedUpstreamIds(), (stored) => ids.every((id) => stored.has(id)), 10_000);
    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      const [bad] = await sql`SELECT input_tokens, note FROM spend_logs WHERE upstream_request_id = ${ids[5]!}`;
      expect(bad!.input_tokens).toBe(2_147_483_647);
      expect(bad!.note).toMatch(/quarantined: inputTokens 3000000000 clamped to 2147483647/);
    } finally {
      await sql.end();
    }
    await expect.poll(() => g.output.join("\n"), { timeout: 5_000 }).toMatch(/spend row refused by the store: stored repaired \(quarantined\)/);
    await until(() => readiness(g), (r) => r.body.status === "ok" && /^ok/.test(r.body.spend_queue ?? ""));
    expect(await (await fetch(g.url + "/metrics")).text()).toMatch(/bedrock_gateway_spend_rows_quarantined_total [1-9]/);
  }, 30_000);

  it("kill -9: rows waiting for a stopped store, and rows of calls answered at ~100 req/s, are stored by the next process", async (ctx) => {
    if ("skip" in own) return ctx.skip(own.skip);
    const stack = own;
    const server = stack.pg;
    let g = stack.gateway;
    const key = await admin(g, "/key/generate", {});
    await until(() => call(g, key.key), (r) => r.status === 200);

    // 1. The store is down: rows wait (readiness says so), then the process is killed.
    server.stop();
    const waiting: Reply[] = [];
    for (let i = 0; i < 20; i++) waiting.push(await call(g, key.key));
    // A call may meet the driver's reconnect stall (a 503, after 2 s); most are served from the cached key.
    expect(waiting.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(waiting.filter((r) => r.status === 200).length, JSON.stringify(waiting.map((r) => [r.status, r.text.slice(0, 120)]).slice(0, 3)) + "\n" + g.output.filter((l) => !l.includes('"bedrock request"')).slice(-15).join("\n")).toBeGreaterThanOrEqual(10);
    const degraded = await until(() => readiness(g), (r) => /^degraded: \d+ spend rows waiting/.test(r.body.spend_queue ?? ""));
    expect(degraded.status).toBe(200);
    g.child.kill("SIGKILL");
    await new Promise((r) => g.child.once("exit", r));
    await server.start();
    stack.gateway = g = await startGateway(stack.env);

    // 2. The store is up, calls flow at ~100 req/s, and the process is killed mid-flow.
    const flowing: Reply[] = [];
    const pending: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; Date.now() - started < 1_500; i++) {
      pending.push(call(g, key.key, { stream: i % 2 === 0 }).then((r) => void flowing.push(r), () => {}));
      await sleep(10);
    }
    g.child.kill("SIGKILL");
    await new Promise((r) => g.child.once("exit", r));
    await Promise.all(pending);
    stack.gateway = g = await startGateway(stack.env);

    const answered = [...waiting, ...flowing].filter((r) => r.status === 200).map((r) => r.upstreamId!);
    expect(flowing.filter((r) => r.status === 200).length).toBeGreaterThan(50);
    const stored = await until(() => stack.storedUpstreamIds(), (ids) => answered.every((id) => ids.has(id)), 20_000);
    expect(answered.filter((id) => !stored.has(id))).toEqual([]);
    await expect.poll(() => g.output.join("\n"), { timeout: 5_000 }).toMatch(/spend journal: rows left by a previous process are queued again/);
  }, 90_000);
});
