import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFile, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConverseCommand, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { accessLogLine } from "../support/access-log.ts";
import { emulatorEnv, runtimeClient } from "../support/fixture.ts";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { throwawayPostgres, type ThrowawayDatabase } from "../support/databases.ts";

/**
 * Cross-region failover against three emulators standing for three regions (each verifies that the call was
 * signed for its own region) and a fourth region whose endpoint refuses connections, through two gateway
 * processes sharing one PostgreSQL. No mocks: faults are switched on in the emulators.
 */
const MASTER = "sk-master-failover-e2e";
const EAST = "us-east-1";
const WEST = "us-west-2";
const EU = "eu-west-1";
const DOWN = "ap-south-1";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
/** Operator prices (USD per 1K tokens) that differ by region, so the row shows which region's price was charged. */
const PRICES = { input: 0.001, output: 0.002, regions: { [WEST]: { input: 0.01, output: 0.02 } } };

// Checked once while collecting, before any emulator runs in this process.
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"]).status === 0;
if (!hasBoto3) console.warn("boto3 failover test skipped: `python3 -c 'import boto3'` failed (pip install boto3 to run it)");
const run = promisify(execFile);
/** Unmodified boto3 with a Bedrock API key (the gateway key): prints the serving region and the reply. */
const BOTO3_CONVERSE = `
import json, sys, boto3
out = boto3.client("bedrock-runtime").converse(modelId=sys.argv[1], messages=[{"role": "user", "content": [{"text": "hi"}]}])
print(json.dumps({"region": out["ResponseMetadata"]["HTTPHeaders"].get("x-gateway-region"), "text": out["output"]["message"]["content"][0]["text"]}))
`;

/** A port nothing listens on: connecting to it fails before any byte of an answer. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const converse = (text = "Hello there") => ({ messages: [{ role: "user", content: [{ text }] }] });

describe("cross-region failover", () => {
  const regions: Record<string, RunningEmulator> = {};
  let db: ThrowawayDatabase;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let key: { key: string; token: string };
  let euKey: { key: string; token: string };
  let dir: string;

  const admin = async (gateway: GatewayProcess, method: "GET" | "POST", path: string, body?: unknown) => {
    const res = await fetch(gateway.url + path, { method, headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const bedrock = async (gateway: GatewayProcess, model: string, options: { key?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
    const res = await fetch(`${gateway.url}/bedrock/model/${encodeURIComponent(model)}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.key ?? key.key}`, "content-type": "application/json", ...options.headers },
      body: JSON.stringify(options.body ?? converse()),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  };
  /** The spend rows of one key, once `count` of them are stored. */
  const rowsOf = async (token: string, count: number) => {
    for (let i = 0; i < 100; i++) {
      const { body } = await admin(a, "GET", `/spend/logs?api_key=${token}&page_size=1000`);
      if (body.data.length >= count) return body.data as any[];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`fewer than ${count} spend rows for ${token}`);
  };
  const rowOf = async (token: string, requestId: string | null) => {
    for (let i = 0; i < 100; i++) {
      const { body } = await admin(a, "GET", `/spend/logs?api_key=${token}&page_size=1000`);
      const row = body.data.find((r: any) => r.upstream_request_id === requestId);
      if (row) return row;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no spend row for ${requestId}`);
  };
  const calls = (region: string, model: string) => regions[region]!.requests.filter((r) => r.verified && r.rawPath.includes(encodeURIComponent(model))).length;
  const metrics = async (gateway: GatewayProcess) => (await fetch(gateway.url + "/metrics", { headers: { authorization: `Bearer ${MASTER}` } })).text();

  beforeAll(async () => {
    for (const region of [EAST, WEST, EU]) regions[region] = await startEmulator({ port: 0, regions: [region] });
    db = await throwawayPostgres();
    const failover = {
      routes: [
        { model: "anthropic.*", regions: [EAST, WEST, EU] },
        { model: "cohere.*", regions: [EAST, DOWN, WEST] },
        { model: "amazon.nova-lite-v1:0", regions: [EAST, { region: WEST, model: "us.amazon.nova-lite-v1:0" }] },
      ],
      endpoints: { [EAST]: regions[EAST]!.url, [WEST]: regions[WEST]!.url, [EU]: regions[EU]!.url, [DOWN]: `http://127.0.0.1:${await closedPort()}` },
      max_attempts: 3,
      backoff_base_ms: 5,
      backoff_max_ms: 20,
      breaker_failures: 2,
      breaker_cooldown_ms: 1500,
    };
    dir = mkdtempSync(path.join(os.tmpdir(), "failover-e2e-"));
    writeFileSync(path.join(dir, "prices.json"), JSON.stringify({ models: { [HAIKU]: PRICES } }));
    const env = { ...emulatorEnv(regions[EAST]!), AWS_REGION: EAST, PRICE_TABLE_PATH: path.join(dir, "prices.json"), MASTER_KEY: MASTER, DATABASE_URL: db.url, SPEND_FLUSH_INTERVAL_MS: "20", GATEWAY_FAILOVER: JSON.stringify(failover) };
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
    key = (await admin(a, "POST", "/key/generate", { key_alias: "failover" })).body;
    expect((await admin(a, "POST", "/team/new", { team_id: "eu-team", allowed_regions: [EU, WEST] })).status).toBe(200);
    euKey = (await admin(a, "POST", "/key/generate", { key_alias: "eu-only", team_id: "eu-team", allowed_regions: [EU] })).body;
    expect(euKey.key).toMatch(/^sk-/);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all(Object.values(regions).map((e) => e.close()));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const emulator of Object.values(regions)) emulator.reset();
  });

  it("a throttled region is retried in the next one, re-signed for it; the answer says where it was served, and is billed once there", async () => {
    const model = HAIKU;
    regions[EAST]!.faults.set([{ model, error: "ThrottlingException", times: 1 }]);
    const res = await bedrock(a, model);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-region")).toBe(WEST);
    expect(regions[EAST]!.requests.map((r) => [r.signingRegion, r.verified])).toEqual([[EAST, true]]);
    expect(regions[WEST]!.requests.map((r) => [r.signingRegion, r.verified])).toEqual([[WEST, true]]);
    expect(calls(EU, model)).toBe(0);

    const row = await rowOf(key.token, res.headers.get("x-amzn-requestid"));
    expect(row.region).toBe(WEST);
    expect(row.status).toBe(200);
    expect(row.attempts).toEqual([
      { region: EAST, status: 429, error: "ThrottlingException", ms: expect.any(Number) },
      { region: WEST, status: 200, ms: expect.any(Number) },
    ]);
    // The access log line (the serving gateway's stdout) says the same.
    const line = await accessLogLine(a, (l) => l.request_id === row.request_id);
    expect([line.region, line.attempts, line.status]).toEqual([WEST, row.attempts, 200]);
    // Charged once, at us-west-2's price (ten times us-east-1's here); the same call served by us-east-1 costs less.
    const atPrice = (prices: { input: number; output: number }, r: any) => (r.input_tokens * prices.input + r.output_tokens * prices.output) / 1000;
    expect(row.input_tokens).toBeGreaterThan(0);
    expect(row.spend).toBeCloseTo(atPrice(PRICES.regions[WEST], row), 12);
    const direct = await bedrock(a, model);
    expect(direct.headers.get("x-gateway-region")).toBe(EAST);
    const directRow = await rowOf(key.token, direct.headers.get("x-amzn-requestid"));
    expect(directRow.spend).toBeCloseTo(atPrice(PRICES, directRow), 12);
    expect(directRow.spend).toBeLessThan(row.spend);
    const rows = await rowsOf(key.token, 2);
    expect(rows.filter((r) => r.request_id === row.request_id)).toHaveLength(1);
    expect((await admin(a, "GET", `/key/info?key=${key.token}`)).body.info.spend).toBeCloseTo(row.spend + directRow.spend, 12);
  });

  it("through the AWS SDK: a throttle in one region is invisible to the client", async () => {
    const model = "anthropic.claude-3-sonnet-20240229-v1:0";
    regions[EAST]!.faults.set([{ model, error: "ServiceUnavailableException", times: 1 }]);
    const out = await runtimeClient(b.url + "/bedrock", key.key).send(new ConverseCommand({ modelId: model, messages: [{ role: "user", content: [{ text: "Hi" }] }] }));
    expect(out.output?.message?.content?.[0]?.text).toContain("Hello");
    expect([calls(EAST, model), calls(WEST, model)]).toEqual([1, 1]);
  });

  it.skipIf(!hasBoto3)("through boto3 (a Bedrock API key, nothing gateway-specific): the same failover", async () => {
    const model = "anthropic.claude-3-haiku-20240307-v1:0:200k";
    regions[EAST]!.faults.set([{ model, error: "ThrottlingException", times: 1 }]);
    const env = { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), AWS_REGION: EAST, AWS_DEFAULT_REGION: EAST, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: a.url + "/bedrock", AWS_BEARER_TOKEN_BEDROCK: key.key };
    const { stdout } = await run("python3", ["-c", BOTO3_CONVERSE, model], { env, encoding: "utf8", timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(out.region).toBe(WEST);
    expect(out.text).toContain("Hello");
    expect([calls(EAST, model), calls(WEST, model)]).toEqual([1, 1]);
  });

  it("a connection failure before any answer byte moves on too; a profile can stand in for a region's model", async () => {
    const cohere = "cohere.command-r-v1:0";
    regions[EAST]!.faults.set([{ model: cohere, error: "InternalServerException", times: 1 }]);
    const res = await bedrock(a, cohere);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-region")).toBe(WEST);
    const row = await rowOf(key.token, res.headers.get("x-amzn-requestid"));
    expect(row.attempts.map((t: any) => [t.region, t.status, t.error?.split(":")[0]])).toEqual([
      [EAST, 500, "InternalServerException"],
      [DOWN, null, "connection"],
      [WEST, 200, undefined],
    ]);

    const nova = "amazon.nova-lite-v1:0";
    regions[EAST]!.faults.set([{ model: nova, error: "ModelNotReadyException", times: 1 }]);
    const viaProfile = await bedrock(a, nova);
    expect(viaProfile.status).toBe(200);
    expect(regions[WEST]!.requests.map((r) => r.rawPath)).toContain("/model/us.amazon.nova-lite-v1%3A0/converse");
    const profileRow = await rowOf(key.token, viaProfile.headers.get("x-amzn-requestid"));
    expect(profileRow.model).toBe("us.amazon.nova-lite-v1:0");
    expect(profileRow.attempts[1]).toMatchObject({ region: WEST, model: "us.amazon.nova-lite-v1:0", status: 200 });
  });

  it("a stream that fails after its first byte is not retried: the client gets the events, then the exception frame", async () => {
    const model = "anthropic.claude-3-5-haiku-20241022-v1:0";
    regions[EAST]!.faults.set([{ model, error: "ThrottlingException", afterEvents: 2 }]);
    const out = await runtimeClient(a.url + "/bedrock", key.key).send(new ConverseStreamCommand({ modelId: model, messages: [{ role: "user", content: [{ text: "Hi" }] }] }));
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const event of out.stream!) seen.push(Object.keys(event)[0]!);
    } catch (e) {
      error = e;
    }
    expect(seen).toHaveLength(2);
    expect((error as Error).name).toBe("ThrottlingException");
    expect([calls(EAST, model), calls(WEST, model), calls(EU, model)]).toEqual([1, 0, 0]);
  });

  it("allowed_regions keeps a key in its region, even when that means a 429; a header asking elsewhere is refused", async () => {
    const model = "anthropic.claude-instant-v1";
    regions[EU]!.faults.set([{ model, error: "ThrottlingException", times: 1 }]);
    // No header: the gateway's default region (us-east-1) is outside the key's, so the call goes to eu-west-1.
    const throttled = await bedrock(a, model, { key: euKey.key });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    expect(throttled.headers.get("x-gateway-region")).toBe(EU);
    expect([calls(EAST, model), calls(WEST, model), calls(EU, model)]).toEqual([0, 0, 1]);
    const served = await bedrock(a, model, { key: euKey.key });
    expect(served.status).toBe(200);
    expect(served.headers.get("x-gateway-region")).toBe(EU);

    // us-west-2 is the team's but not the key's: the intersection is eu-west-1 alone.
    const elsewhere = await bedrock(a, model, { key: euKey.key, headers: { "x-bedrock-region": WEST } });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect(JSON.parse(elsewhere.text).message).toContain("allowed_regions: eu-west-1");
    expect(calls(WEST, model)).toBe(0);
    expect((await admin(a, "GET", `/key/info?key=${euKey.token}`)).body.info.allowed_regions).toEqual([EU]);
    expect((await admin(a, "GET", "/team/info?team_id=eu-team")).body.allowed_regions).toEqual([EU, WEST]);
    expect((await admin(a, "POST", "/key/generate", { allowed_regions: ["mars-1"] })).status).toBe(400);
  });

  it("the breaker skips a failing region after N failures, probes it after the cool-down, and closes when it serves", async () => {
    const model = "anthropic.claude-v2:1";
    regions[EAST]!.faults.set([{ model, error: "ThrottlingException" }]);
    for (let i = 0; i < 2; i++) expect((await bedrock(a, model)).headers.get("x-gateway-region")).toBe(WEST);
    expect(calls(EAST, model)).toBe(2);
    expect(await metrics(a)).toMatch(/bedrock_gateway_open_breakers\{region="us-east-1"\} 1/);

    const skipped = await bedrock(a, model);
    expect(skipped.headers.get("x-gateway-region")).toBe(WEST);
    expect(calls(EAST, model)).toBe(2);
    expect((await rowOf(key.token, skipped.headers.get("x-amzn-requestid"))).attempts[0]).toEqual({ region: EAST, status: null, error: "breaker open", ms: 0 });

    // Per instance: the other gateway has its own breakers, and learns of the trouble from its own calls.
    await bedrock(b, model);
    expect(calls(EAST, model)).toBe(3);

    regions[EAST]!.faults.clear();
    await new Promise((r) => setTimeout(r, 1600));
    const probe = await bedrock(a, model);
    expect(probe.headers.get("x-gateway-region")).toBe(EAST);
    expect(await metrics(a)).not.toMatch(/bedrock_gateway_open_breakers\{region="us-east-1"\}/);
    const text = await metrics(a);
    expect(text).toMatch(/bedrock_gateway_failovers_total\{from="us-east-1",to="us-west-2"\} \d+/);
    expect(text).toMatch(/bedrock_gateway_upstream_attempts_total\{region="us-east-1",result="ThrottlingException"\} \d+/);
  });

  it("two instances answer the same call the same way, and each call is one spend row", async () => {
    const model = "anthropic.claude-3-opus-20240229-v1:0";
    regions[EAST]!.faults.set([{ model, error: "ThrottlingException", times: 2 }]);
    const answers = [await bedrock(a, model), await bedrock(b, model)];
    expect(answers.map((r) => [r.status, r.headers.get("x-gateway-region")])).toEqual([[200, WEST], [200, WEST]]);
    const rows = await Promise.all(answers.map((r) => rowOf(key.token, r.headers.get("x-amzn-requestid"))));
    expect(rows.map((r) => r.attempts.map((t: any) => [t.region, t.status]))).toEqual([
      [[EAST, 429], [WEST, 200]],
      [[EAST, 429], [WEST, 200]],
    ]);
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(2);
  });

  it("async invoke is never retried elsewhere (not safe to repeat)", async () => {
    regions[EAST]!.faults.set([{ error: "ThrottlingException", times: 1 }]);
    const res = await fetch(`${a.url}/bedrock/async-invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: JSON.stringify({ modelId: "amazon.nova-reel-v1:0", modelInput: {}, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://b/o" } } }),
    });
    expect(res.status).toBe(429);
    expect(regions[WEST]!.requests).toHaveLength(0);
  });
});
