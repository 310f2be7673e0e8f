import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardrailUnits } from "@bedrock-gateway/bedrock-emulator";
import prices from "../../src/pricing/price-table.json" with { type: "json" };
import { openStore } from "../../src/store/open-store.ts";
import { startStack, type Stack } from "../support/fixture.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const MASTER = "sk-master-spend-e2e";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const NOVA = "amazon.nova-lite-v1:0";

type Tokens = { inputTokens: number; outputTokens: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number };
const models = prices.models as Record<string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }>;

/** The cost the test expects, from the shipped price table (USD per 1K tokens). */
function expectedCost(model: string, t: Tokens): number {
  const p = models[model];
  return (t.inputTokens * p.input + t.outputTokens * p.output + (t.cacheReadInputTokens ?? 0) * (p.cacheRead ?? p.input) + (t.cacheWriteInputTokens ?? 0) * (p.cacheWrite ?? p.input)) / 1000;
}

const converseBody = (usage: Tokens, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: "user", content: [{ text: "Hello there" }] }],
  additionalModelRequestFields: { emulator: { usage, ...extra } },
});
const claudeBody = (emulator: Record<string, unknown>) => ({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 100,
  messages: [{ role: "user", content: "Hello there" }],
  emulator,
});

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("usage, cost, spend logs and budgets on %s", (_driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  let stack: Stack;
  let url: string;
  let key: { key: string; token: string };

  const admin = async (method: "GET" | "POST", path: string, body?: unknown, bearer = MASTER) => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const bedrock = async (path: string, body: unknown, options: { key?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(stack.bedrockUrl + path, {
      method: "POST",
      headers: { authorization: `Bearer ${options.key ?? key.key}`, "content-type": "application/json", ...options.headers },
      body: JSON.stringify(body),
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(new TextDecoder().decode(bytes)) };
  };
  /** The spend log row of a response, found by the upstream request id the gateway relays. */
  const logOf = async (res: { headers: Headers }) => {
    const id = res.headers.get("x-amzn-requestid");
    for (let i = 0; i < 100; i++) {
      const { body } = await admin("GET", "/spend/logs?page_size=1000");
      const row = body.data.find((r: any) => r.upstream_request_id === id);
      if (row) return row;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no spend log for ${id}`);
  };
  const settled = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    db = await makeDatabase();
    stack = await startStack({ MASTER_KEY: MASTER, DATABASE_URL: db.url, SPEND_FLUSH_INTERVAL_MS: "50" });
    url = stack.gateway.url;
    expect((await admin("POST", "/team/new", { team_id: "team-a", metadata: { cost_center: "42" } })).status).toBe(200);
    key = (await admin("POST", "/key/generate", { key_alias: "spend-main", user_id: "user-a", team_id: "team-a" })).body;
  });
  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it("Converse and ConverseStream: tokens (with cache) and cost to the cent", async () => {
    const usage = { inputTokens: 120_000, outputTokens: 30_000, cacheReadInputTokens: 50_000, cacheWriteInputTokens: 10_000 };
    const res = await bedrock(`/model/${SONNET}/converse`, converseBody(usage));
    expect(res.status).toBe(200);
    const row = await logOf(res);
    expect(row).toMatchObject({
      api_key: key.token,
      key_alias: "spend-main",
      user: "user-a",
      team_id: "team-a",
      operation: "Converse",
      model: SONNET,
      region: "us-east-1",
      status: 200,
      input_tokens: 120_000,
      output_tokens: 30_000,
      cache_read_input_tokens: 50_000,
      cache_write_input_tokens: 10_000,
      usage_source: "converse-body",
      usage_complete: true,
    });
    expect(row.spend).toBeCloseTo(expectedCost(SONNET, usage), 8);
    expect(row.spend).toBeCloseTo(0.36 + 0.45 + 0.015 + 0.0375, 2);
    expect(row.latency_ms).toBeGreaterThanOrEqual(0);
    expect(row.ttfb_ms).toBeGreaterThanOrEqual(0);

    const streamUsage = { inputTokens: 40_000, outputTokens: 8_000 };
    const stream = await bedrock(`/model/${HAIKU}/converse-stream`, converseBody(streamUsage));
    const streamRow = await logOf(stream);
    expect(streamRow).toMatchObject({ operation: "ConverseStream", input_tokens: 40_000, output_tokens: 8_000, usage_source: "stream-metadata", usage_complete: true });
    expect(streamRow.spend).toBeCloseTo(expectedCost(HAIKU, streamUsage), 8);
  });

  it("InvokeModel from headers and from the body alone, and InvokeModelWithResponseStream", async () => {
    const usage = { inputTokens: 200_000, outputTokens: 40_000 };
    const fromHeaders = await logOf(await bedrock(`/model/${HAIKU}/invoke`, claudeBody({ usage })));
    expect(fromHeaders).toMatchObject({ operation: "InvokeModel", input_tokens: 200_000, output_tokens: 40_000, usage_source: "invoke-headers" });
    expect(fromHeaders.spend).toBeCloseTo(expectedCost(HAIKU, usage), 8);

    const fromBody = await logOf(await bedrock(`/model/${HAIKU}/invoke`, claudeBody({ usage, omitUsageHeaders: true })));
    expect(fromBody).toMatchObject({ input_tokens: 200_000, output_tokens: 40_000, usage_source: "invoke-body" });
    expect(fromBody.spend).toBeCloseTo(fromHeaders.spend, 10);

    const streamed = await logOf(await bedrock(`/model/${HAIKU}/invoke-with-response-stream`, claudeBody({ usage })));
    expect(streamed).toMatchObject({ operation: "InvokeModelWithResponseStream", input_tokens: 200_000, output_tokens: 40_000, usage_complete: true });
    expect(streamed.spend).toBeCloseTo(expectedCost(HAIKU, usage), 8);
  });

  it("CountTokens is free; ApplyGuardrail is priced per policy unit", async () => {
    const count = await logOf(await bedrock(`/model/${HAIKU}/count-tokens`, { input: { converse: { messages: [{ role: "user", content: [{ text: "a b c" }] }] } } }));
    expect(count).toMatchObject({ operation: "CountTokens", spend: 0, usage_source: "free" });

    const text = "x".repeat(2500);
    const guard = await logOf(await bedrock("/guardrail/gr-1/version/1/apply", { source: "INPUT", content: [{ text: { text } }] }));
    const units = guardrailUnits(text);
    const g = prices.guardrail;
    const expected = (units * (g.topic + g.content + g.word + g.sensitiveInformation + g.contextualGrounding)) / 1000;
    expect(guard).toMatchObject({ operation: "ApplyGuardrail", usage_source: "guardrail-usage" });
    expect(guard.spend).toBeCloseTo(expected, 10);
  });

  it("InvokeAgent reads trace usage; Retrieve and RetrieveAndGenerate log spend null with a note", async () => {
    const agent = await logOf(
      await bedrock("/agents/AG1/agentAliases/AL1/sessions/s-1/text", {
        inputText: "hello agent",
        enableTrace: true,
        sessionState: { sessionAttributes: { emulator: JSON.stringify({ usage: { inputTokens: 3000, outputTokens: 700 } }) } },
      }),
    );
    expect(agent).toMatchObject({ operation: "InvokeAgent", input_tokens: 3000, output_tokens: 700, usage_source: "agent-trace" });
    // The trace names no model here, so there is no price: null, never 0.
    expect(agent.spend).toBeNull();
    expect(agent.note).toBeTruthy();

    const retrieve = await logOf(await bedrock("/knowledgebases/KB1/retrieve", { retrievalQuery: { text: "q" } }));
    expect(retrieve).toMatchObject({ operation: "Retrieve", spend: null, note: expect.stringContaining("Retrieve") });
    const rag = await logOf(
      await bedrock("/retrieveAndGenerate", {
        input: { text: "summarise" },
        retrieveAndGenerateConfiguration: { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseId: "KB1", modelArn: HAIKU } },
      }),
    );
    expect(rag).toMatchObject({ operation: "RetrieveAndGenerate", spend: null, usage_source: "not-exposed", usage_complete: false, note: expect.stringContaining("RetrieveAndGenerate") });
  });

  it("a stream aborted midway records partial usage, marked incomplete", async () => {
    const res = await fetch(`${stack.bedrockUrl}/model/${NOVA}/converse-stream`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: JSON.stringify(converseBody({ inputTokens: 10, outputTokens: 10 }, { events: 40, eventDelayMs: 40 })),
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const row = await logOf(res);
    expect(row).toMatchObject({ operation: "ConverseStream", status: 200, usage_complete: false });
    expect(row.note).toMatch(/cancel/);
    expect(row.spend === null || row.spend < expectedCost(NOVA, { inputTokens: 10, outputTokens: 10 }) + 1e-12).toBe(true);
  });

  it("spend figures are shown rounded to 1e-10 USD: no binary floating-point noise in the JSON", async () => {
    const fresh = (await admin("POST", "/key/generate", { key_alias: `rounding-${_driver}` })).body;
    // 845 Nova input tokens cost 0.0000507; six of them add up to 0.00030419999999999997 in floating point.
    const usage = { inputTokens: 845, outputTokens: 0 };
    const rows = [];
    for (let i = 0; i < 6; i++) rows.push(await logOf(await bedrock(`/model/${NOVA}/converse`, converseBody(usage), { key: fresh.key })));
    expect(rows.map((r) => r.spend)).toEqual(Array(6).fill(0.0000507));
    await settled(async () => (await admin("GET", `/key/info?key=${fresh.key}`)).body.info.spend > 0.0003);
    const info = await fetch(`${url}/key/info?key=${fresh.key}`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(await info.text()).toContain('"spend":0.0003042,');
  });

  it("an upstream error's request id is logged once (not \"id, id\")", async () => {
    const refused = await bedrock(`/model/amazon.nova-throttle-v1:0/converse`, converseBody({ inputTokens: 1, outputTokens: 1 }));
    expect(refused.status).toBe(429);
    const row = await logOf(refused);
    expect(row.upstream_request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("end-user spend from the header, shown by /end_user/info and /customer/info", async () => {
    const usage = { inputTokens: 10_000, outputTokens: 2_000 };
    const a = await logOf(await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { headers: { "x-end-user-id": "cust-1" } }));
    const b = await logOf(await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { headers: { "x-litellm-customer-id": "cust-1" } }));
    expect([a.end_user, b.end_user]).toEqual(["cust-1", "cust-1"]);
    await settled(async () => (await admin("GET", "/end_user/info?end_user_id=cust-1")).body.request_count === 2);
    const info = await admin("GET", "/end_user/info?end_user_id=cust-1");
    expect(info.body).toMatchObject({ end_user_id: "cust-1", request_count: 2 });
    expect(info.body.spend).toBeCloseTo(2 * expectedCost(HAIKU, usage), 10);
    expect((await admin("GET", "/customer/info?end_user_id=cust-1")).body.spend).toBeCloseTo(info.body.spend, 10);
    expect((await admin("GET", "/end_user/info?end_user_id=nobody")).status).toBe(404);
  });

  it("refuses over budget before Bedrock; concurrent calls overspend at most by those in flight", async () => {
    const usage = { inputTokens: 4_000, outputTokens: 800 };
    const cost = expectedCost(HAIKU, usage);
    const budget = cost * 1.5;
    const { body: limited } = await admin("POST", "/key/generate", { max_budget: budget });
    const before = stack.emulator.requests.length;
    // Six calls of 200 ms each, started 80 ms apart: the first ones run together, later ones see them settled.
    const results = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (i) => {
        await new Promise((r) => setTimeout(r, i * 80));
        return bedrock(`/model/${HAIKU}/converse`, converseBody(usage, { firstByteDelayMs: 200 }), { key: limited.key });
      }),
    );
    const admitted = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status !== 200);
    expect(admitted).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
      expect(r.json().message).toMatch(/Budget exceeded for this gateway key: spent \$[\d.]+ of max_budget \$/);
    }
    expect(stack.emulator.requests.length - before).toBe(admitted);
    // At most three calls overlap (200 ms / 80 ms), so at most three were admitted past the settled total.
    expect(admitted * cost).toBeLessThan(budget + 3 * cost);

    // The client can hold the whole body a moment before the gateway settles the call: wait for it.
    await settled(async () => (await admin("GET", `/key/info?key=${limited.key}`)).body.info.spend >= admitted * cost - 1e-9);
    expect((await admin("GET", `/key/info?key=${limited.key}`)).body.info.spend).toBeCloseTo(admitted * cost, 10);
    const after = stack.emulator.requests.length;
    expect((await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { key: limited.key })).status).toBe(403);
    expect(stack.emulator.requests.length).toBe(after);
  });

  it("user, team and end-user budgets refuse with a message naming the scope", async () => {
    const usage = { inputTokens: 4_000, outputTokens: 800 };
    const cost = expectedCost(HAIKU, usage);
    expect((await admin("POST", "/user/new", { user_id: "user-b", max_budget: cost / 2, budget_duration: "30d" })).body).toMatchObject({ user_id: "user-b", max_budget: cost / 2, budget_duration: "30d", spend: 0 });
    const { body: userKey } = await admin("POST", "/key/generate", { user_id: "user-b" });
    expect((await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { key: userKey.key })).status).toBe(200);
    await settled(async () => (await admin("GET", "/user/info?user_id=user-b")).body.spend > 0);
    const refused = await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { key: userKey.key });
    expect(refused.status).toBe(403);
    expect(refused.json().message).toContain('user "user-b"');
    const user = await admin("GET", "/user/info?user_id=user-b");
    expect(user.body.keys).toEqual([userKey.token]);
    expect(user.body.spend).toBeCloseTo(cost, 10);

    expect((await admin("POST", "/team/new", { team_id: "team-b", max_budget: 0 })).status).toBe(200);
    const { body: teamKey } = await admin("POST", "/key/generate", { team_id: "team-b" });
    const teamRefused = await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { key: teamKey.key });
    expect([teamRefused.status, teamRefused.json().message]).toEqual([403, expect.stringContaining('team "team-b"')]);
    expect((await admin("POST", "/team/update", { team_id: "team-b", max_budget: 10 })).body.max_budget).toBe(10);
    await new Promise((r) => setTimeout(r, 50));
    expect((await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { key: teamKey.key })).status).toBe(200);

    expect((await admin("POST", "/customer/new", { user_id: "cust-2", max_budget: cost / 2 })).status).toBe(200);
    expect((await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { headers: { "x-end-user-id": "cust-2" } })).status).toBe(200);
    await settled(async () => (await admin("GET", "/end_user/info?end_user_id=cust-2")).body.spend > 0);
    const endUserRefused = await bedrock(`/model/${HAIKU}/converse`, converseBody(usage), { headers: { "x-end-user-id": "cust-2" } });
    expect([endUserRefused.status, endUserRefused.json().message]).toEqual([403, expect.stringContaining('end user "cust-2"')]);
  });

  it("validates admin bodies like /key/* does", async () => {
    expect((await admin("POST", "/user/new", { user_id: "u", max_budgte: 1 })).body).toMatchObject({ type: "invalid_request_error", message: 'Unknown field "max_budgte".' });
    expect((await admin("POST", "/user/new", { max_budget: 1 })).status).toBe(400);
    expect((await admin("POST", "/team/new", { team_id: "t", budget_duration: "monthly" })).status).toBe(400);
    expect((await admin("POST", "/end_user/update", { end_user_id: "never-made", max_budget: 1 })).status).toBe(404);
    expect((await admin("POST", "/user/new", { user_id: "u" }, key.key)).status).toBe(403);
    expect((await admin("GET", "/spend/logs?start_date=yesterday")).status).toBe(400);
  });

  it("/spend/logs filters and pages; a virtual key sees only its own", async () => {
    // Let the last test's rows land (the writer flushes every 50 ms here), so pages compare like for like.
    await settled(async () => {
      const first = (await admin("GET", "/spend/logs")).body.total;
      await new Promise((r) => setTimeout(r, 150));
      return (await admin("GET", "/spend/logs")).body.total === first;
    });
    const all = await admin("GET", "/spend/logs?page_size=1000");
    expect(all.body.total).toBe(all.body.data.length);
    const haiku = await admin("GET", `/spend/logs?model=${encodeURIComponent(HAIKU)}&page_size=1000`);
    expect(haiku.body.data.length).toBeGreaterThan(0);
    expect(haiku.body.data.every((r: any) => r.model === HAIKU)).toBe(true);
    expect((await admin("GET", "/spend/logs?end_user=cust-1")).body.total).toBe(2);
    expect((await admin("GET", "/spend/logs?user_id=user-a&page_size=1000")).body.data.every((r: any) => r.user === "user-a")).toBe(true);
    const page2 = await admin("GET", `/spend/logs?api_key=${key.key}&page=2&page_size=3`);
    const mine = await admin("GET", `/spend/logs?api_key=${key.token}&page_size=1000`);
    expect(page2.body).toMatchObject({ page: 2, page_size: 3, total: mine.body.total });
    expect(page2.body.data.map((r: any) => r.request_id)).toEqual(mine.body.data.slice(3, 6).map((r: any) => r.request_id));
    expect((await admin("GET", "/spend/logs?start_date=2999-01-01")).body.total).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    // Later rows may have landed meanwhile; none is outside today.
    expect((await admin("GET", `/spend/logs?start_date=${today}&end_date=${today}&page_size=1000`)).body.total).toBeGreaterThanOrEqual(all.body.total);
    const own = await admin("GET", "/spend/logs?page_size=1000", undefined, key.key);
    expect(own.body.total).toBe(mine.body.total);
    expect(JSON.stringify(all.body)).not.toContain(key.key);
  });

  it("/metrics exposes requests, errors, tokens, spend and latency in Prometheus text", async () => {
    await fetch(stack.bedrockUrl + `/model/${HAIKU}/converse`, { method: "POST", headers: { authorization: "Bearer sk-wrong" }, body: "{}" });
    const res = await fetch(url + "/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain(`bedrock_gateway_requests_total{operation="Converse",model="${SONNET}",status="200"} 1`);
    expect(text).toContain(`bedrock_gateway_tokens_total{operation="Converse",model="${SONNET}",type="cache_read"} 50000`);
    expect(text).toMatch(/bedrock_gateway_errors_total\{operation="Converse",model="anthropic[^"]+",status="403"\} \d+/);
    expect(text).toMatch(/bedrock_gateway_errors_total\{operation="unadmitted",model="",status="401"\} 1/);
    expect(text).toMatch(/bedrock_gateway_spend_usd_total\{operation="Converse",model="anthropic[^"]+"\} 0\.\d+/);
    expect(text).toContain("bedrock_gateway_request_duration_seconds_bucket{operation=\"Converse\"");
    expect(text).toContain("bedrock_gateway_ttfb_seconds_count");
    expect(text).toMatch(/bedrock_gateway_spend_queue_depth \d+/);
  });

  it("one JSON log line per request on stdout, without keys", async () => {
    const lines = stack.gateway.output.filter((l) => l.includes('"msg":"bedrock request"')).map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]).toMatchObject({ level: "info", operation: expect.any(String), status: expect.any(Number), latency_ms: expect.any(Number) });
    expect(stack.gateway.output.join("\n")).not.toContain(key.key);
  });

  it("after SIGTERM, the sum of the logs equals key, user and team spend", async () => {
    // Calls still being written when the signal arrives must not be lost.
    await Promise.all([1, 2, 3].map(() => bedrock(`/model/${HAIKU}/converse`, converseBody({ inputTokens: 1000, outputTokens: 100 }))));
    expect(await stack.gateway.stop("SIGTERM")).toBe(0);
    const store = await openStore(db.url);
    try {
      const logs = (await store.querySpendLogs({ apiKey: key.token, offset: 0, limit: 10_000 })).rows;
      const sum = logs.reduce((s, r) => s + (r.spend ?? 0), 0);
      expect(sum).toBeGreaterThan(0);
      expect((await store.getKey(key.token))!.spend).toBeCloseTo(sum, 9);
      const userLogs = (await store.querySpendLogs({ userId: "user-a", offset: 0, limit: 10_000 })).rows;
      expect((await store.getBudgetEntity("user", "user-a"))!.spend).toBeCloseTo(userLogs.reduce((s, r) => s + (r.spend ?? 0), 0), 9);
      expect((await store.getBudgetEntity("team", "team-a"))!.spend).toBeCloseTo(sum, 9);
      const all = (await store.querySpendLogs({ offset: 0, limit: 10_000 })).rows;
      const cust = all.filter((r) => r.endUser === "cust-1").reduce((s, r) => s + (r.spend ?? 0), 0);
      expect((await store.getBudgetEntity("end_user", "cust-1"))!.spend).toBeCloseTo(cust, 9);
    } finally {
      await store.close();
    }
  });
});

describe("STORE_REQUEST_BODIES=true", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER, STORE_REQUEST_BODIES: "true", SPEND_FLUSH_INTERVAL_MS: "50" });
  });
  afterAll(async () => stack?.stop());

  it("stores request and response bodies, redacted of secrets", async () => {
    const body = { ...converseBody({ inputTokens: 5, outputTokens: 5 }), requestMetadata: { api_key: "sk-leak-me" } };
    const res = await fetch(`${stack.bedrockUrl}/model/${NOVA}/converse`, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    let row: any;
    for (let i = 0; i < 100 && !row; i++) {
      const logs = await (await fetch(stack.gateway.url + "/spend/logs", { headers: { authorization: `Bearer ${MASTER}` } })).json();
      row = logs.data[0];
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row.api_key).toBeNull();
    expect(JSON.parse(row.request_body)).toMatchObject({ requestMetadata: { api_key: "[redacted]" }, messages: body.messages });
    expect(JSON.parse(row.response_body)).toMatchObject({ usage: { inputTokens: 5, outputTokens: 5 } });
    expect(row.request_body).not.toContain("sk-leak-me");
  });
});
