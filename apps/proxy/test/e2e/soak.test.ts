import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayProcess } from "../support/gateway-process.ts";
import { ownPostgresStack, type OwnPostgresStack } from "../support/own-postgres-stack.ts";

/**
 * A bounded soak, CI-sized (SOAK_SECONDS, default 30): mixed streaming and non-streaming traffic with random client
 * aborts, and a PostgreSQL restart in the middle. Holds: no 500, every answered call has its spend row, and the
 * gateway's memory and open file descriptors end where they were once warm (read from /proc).
 */
const MASTER = "sk-master-soak";
const NOVA = "amazon.nova-lite-v1%3A0";
const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const CONCURRENCY = 8;
/** Each worker pauses this long between calls: ~150 calls/s, a load a shared CI machine carries beside other work. */
const PAUSE_MS = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processFigures(gateway: GatewayProcess): { rssMb: number; fds: number } {
  const pid = gateway.child.pid!;
  if (gateway.child.exitCode !== null) throw new Error(`the gateway exited (${gateway.child.exitCode}):\n` + gateway.output.filter((l) => !l.includes('"bedrock request"')).slice(-30).join("\n"));
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rssKb / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

describe("soak: mixed traffic, client aborts, a PostgreSQL restart", () => {
  let own: OwnPostgresStack | { skip: string };
  beforeAll(async () => {
    own = await ownPostgresStack(MASTER);
  }, 60_000);
  afterAll(async () => {
    if (own && !("skip" in own)) await own.stop();
  });

  it(`${SECONDS} s: no 500, every answered call has its spend row, memory and file descriptors flat`, async (ctx) => {
    if ("skip" in own) return ctx.skip(own.skip);
    if (!readdirSync("/proc").length) return ctx.skip("no /proc");
    const stack = own;
    const server = stack.pg;
    const g = stack.gateway;
    const res = await fetch(g.url + "/key/generate", { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify({ max_budget: 1_000 }) });
    const key = ((await res.json()) as { key: string }).key;

    const answered: string[] = [];
    const statuses = new Map<number, number>();
    let aborted = 0;
    let stop = false;
    const one = async (i: number) => {
      const stream = i % 2 === 0;
      const abort = new AbortController();
      const willAbort = Math.random() < 0.2;
      if (willAbort) setTimeout(() => abort.abort(), 5 + Math.random() * 80);
      try {
        const reply = await fetch(`${g.url}/bedrock/model/${NOVA}/${stream ? "converse-stream" : "converse"}`, {
          method: "POST",
          signal: abort.signal,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-end-user-id": `soak-${i % 50}` },
          body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }], additionalModelRequestFields: { emulator: stream ? { events: 8, eventDelayMs: 10 } : {} } }),
        });
        await reply.arrayBuffer();
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status === 200) answered.push(reply.headers.get("x-amzn-requestid")!);
      } catch {
        aborted++;
      }
    };
    const worker = async (w: number) => {
      for (let i = w; !stop; i += CONCURRENCY) {
        await one(i);
        await sleep(PAUSE_MS);
      }
    };
    const started = Date.now();
    const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));

    await sleep(SECONDS * 250);
    const warm = processFigures(g);
    await sleep(SECONDS * 150);
    server.stop();
    await sleep(3_000);
    await server.start();
    await sleep(Math.max(0, started + SECONDS * 1000 - Date.now()));
    stop = true;
    await Promise.all(workers);
    await sleep(2_000);
    const end = processFigures(g);

    let missing = answered;
    for (let tries = 0; tries < 100 && missing.length > 0; tries++) {
      try {
        const stored = await stack.storedUpstreamIds();
        missing = answered.filter((id) => !stored.has(id));
      } catch {
        // The test's own connection may meet the restart too.
      }
      if (missing.length) await sleep(200);
    }
    if (missing.length) console.log("SOAK gateway log:\n" + g.output.filter((l) => !l.includes('"bedrock request"')).slice(-20).join("\n"));
    console.log(`SOAK ${SECONDS} s: ${answered.length} answered, ${aborted} aborted by the client, statuses ${JSON.stringify([...statuses])}; RSS ${warm.rssMb} -> ${end.rssMb} MB, fds ${warm.fds} -> ${end.fds}`);
    expect(statuses.get(500) ?? 0).toBe(0);
    expect([...statuses.keys()].every((s) => s === 200 || s === 503)).toBe(true);
    expect(answered.length).toBeGreaterThan(SECONDS * 10);
    expect(aborted).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(end.fds).toBeLessThanOrEqual(warm.fds + 10);
    expect(end.rssMb).toBeLessThanOrEqual(warm.rssMb * 1.5 + 30);
  }, (SECONDS + 90) * 1000);
});
