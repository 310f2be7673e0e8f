import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv } from "../support/fixture.ts";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

/**
 * Issue 15, item 5: budgets by reservation. 200 parallel calls on a $0.001 budget, each answered after 500 ms,
 * used to all pass (60x the budget). Each call now reserves its estimated cost (input from the body, output from
 * maxTokens) before upstream, so the calls spend at most the budget plus one call's reservation, on one instance
 * (SQLite) and across two (PostgreSQL + Redis).
 */
const MASTER = "sk-master-reservation";
const NOVA = "amazon.nova-lite-v1:0";
const SHARED_REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// nova-lite: $0.00006 / 1K input, $0.00024 / 1K output. The estimate: ~100 input tokens + maxTokens 1,000 = ~$0.000246.
const ONE_CALL_RESERVATION = 0.00025;

async function admin(gateway: GatewayProcess, method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
  const res = await fetch(gateway.url + path, { method, headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

function converse(gateway: GatewayProcess, key: string) {
  const body = {
    messages: [{ role: "user", content: [{ text: "Hello" }] }],
    inferenceConfig: { maxTokens: 1_000 },
    additionalModelRequestFields: { emulator: { usage: { inputTokens: 100, outputTokens: 1_000 }, firstByteDelayMs: 500 } },
  };
  return fetch(`${gateway.url}/bedrock/model/${encodeURIComponent(NOVA)}/converse`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, type: res.headers.get("x-amzn-errortype"), text: await res.text() }));
}

describe.each([
  ["one instance on SQLite", throwawaySqlite, 1, false],
  ["two instances on PostgreSQL + Redis", throwawayPostgres, 2, true],
] as const)("budget reservation: %s", (_name, makeDatabase, instances, redis) => {
  let db: ThrowawayDatabase;
  let emulator: RunningEmulator;
  let gateways: GatewayProcess[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await emulator?.close();
    await db?.drop();
  });

  it("200 parallel calls with a 500 ms first byte on a $0.001 budget spend at most the budget plus one call's reservation", async () => {
    [db, emulator] = await Promise.all([makeDatabase(), startEmulator({ port: 0 })]);
    const env: Record<string, string> = { ...emulatorEnv(emulator), MASTER_KEY: MASTER, DATABASE_URL: db.url, ...(redis && { REDIS_URL: SHARED_REDIS, REDIS_PREFIX: `gwres:${crypto.randomUUID().slice(0, 8)}:` }) };
    gateways = [await startGateway(env)];
    for (let i = 1; i < instances; i++) gateways.push(await startGateway(env));
    const key = await admin(gateways[0]!, "POST", "/key/generate", { max_budget: 0.001 });

    const before = emulator.requests.length;
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => converse(gateways[i % gateways.length]!, key.key)));
    const ok = replies.filter((r) => r.status === 200).length;
    const refused = replies.filter((r) => r.status === 403 && r.type === "AccessDeniedException");
    expect(ok + refused.length).toBe(200);
    expect(emulator.requests.length - before).toBe(ok);
    expect(JSON.parse(refused[0]!.text).message).toMatch(/Budget exceeded for this gateway key/);

    // The real spend, from the spend log once every row is written.
    let spent = 0;
    for (let tries = 0; tries < 50; tries++) {
      const logs = await admin(gateways[0]!, "GET", `/spend/logs?api_key=${key.token}&page_size=1000`);
      if (logs.total === 200) {
        spent = logs.data.reduce((sum: number, row: { spend: number | null }) => sum + (row.spend ?? 0), 0);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`RESULT ${_name}: ${ok} of 200 reached Bedrock, spent $${spent.toFixed(6)} of $0.001`);
    expect(ok).toBeGreaterThanOrEqual(4);
    expect(spent).toBeGreaterThan(0.001 - ONE_CALL_RESERVATION);
    expect(spent).toBeLessThanOrEqual(0.001 + ONE_CALL_RESERVATION);
  }, 60_000);
});

describe("budget reservation: image generation (billed per image, not per token)", () => {
  let db: ThrowawayDatabase;
  let emulator: RunningEmulator;
  let gateway: GatewayProcess;
  afterAll(async () => {
    await gateway?.stop();
    await emulator?.close();
    await db?.drop();
  });

  it("20 parallel Nova Canvas calls (2 images each, $0.08) on a $0.20 budget: each reserves its images, at most budget + one call is spent", async () => {
    [db, emulator] = await Promise.all([throwawaySqlite(), startEmulator({ port: 0 })]);
    gateway = await startGateway({ ...emulatorEnv(emulator), MASTER_KEY: MASTER, DATABASE_URL: db.url });
    const key = await admin(gateway, "POST", "/key/generate", { max_budget: 0.2 });
    // No size named: the models' default 1024 x 1024, $0.04 an image at standard quality.
    const body = { taskType: "TEXT_IMAGE", textToImageParams: { text: "a lighthouse" }, imageGenerationConfig: { numberOfImages: 2 }, emulator: { firstByteDelayMs: 300 } };
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${gateway.url}/bedrock/model/amazon.nova-canvas-v1:0/invoke`, { method: "POST", headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.status),
      ),
    );
    const ok = replies.filter((s) => s === 200).length;
    expect(replies.filter((s) => s !== 200).every((s) => s === 403)).toBe(true);
    let spent = 0;
    for (let tries = 0; tries < 50; tries++) {
      const logs = await admin(gateway, "GET", `/spend/logs?api_key=${key.token}&page_size=1000`);
      if (logs.total === 20) {
        spent = logs.data.reduce((sum: number, row: { spend: number | null }) => sum + (row.spend ?? 0), 0);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).toBeGreaterThanOrEqual(2);
    expect(ok).toBeLessThanOrEqual(3);
    expect(spent).toBeCloseTo(ok * 0.08, 10);
    expect(spent).toBeLessThanOrEqual(0.2 + 0.08);
  }, 60_000);
});
