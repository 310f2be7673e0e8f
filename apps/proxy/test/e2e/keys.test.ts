import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { agentClient, emulatorEnv, runtimeClient, startStack, type Stack } from "../support/fixture.ts";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const MASTER = "sk-master-keys-e2e";
const NOVA = "amazon.nova-lite-v1:0";
const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const hello = { messages: [{ role: "user" as const, content: [{ text: "Hello" }] }] };

interface Answer {
  status: number;
  body: any;
}

async function admin(baseUrl: string, method: "GET" | "POST", path: string, body?: unknown, key = MASTER): Promise<Answer> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function converse(stack: Stack, key: string, modelId = NOVA) {
  return runtimeClient(stack.bedrockUrl, key)
    .send(new ConverseCommand({ modelId, ...hello }))
    .then((out) => ({ ok: true as const, text: out.output?.message?.content?.[0]?.text }))
    .catch((error) => ({ ok: false as const, name: error.name as string, status: error.$metadata?.httpStatusCode as number, message: error.message as string }));
}

/** Runs `action` and checks that nothing reached Bedrock meanwhile. */
async function refusedBeforeBedrock<T>(stack: Stack, action: () => Promise<T>): Promise<T> {
  const before = stack.emulator.requests.length;
  const result = await action();
  expect(stack.emulator.requests.length).toBe(before);
  return result;
}

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("virtual keys end to end on %s", (_driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  let stack: Stack;
  let url: string;

  beforeAll(async () => {
    db = await makeDatabase();
    stack = await startStack({ MASTER_KEY: MASTER, DATABASE_URL: db.url });
    url = stack.gateway.url;
  });
  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it("mints a key that works with the official SDK, once shown and stored as a hash", async () => {
    const minted = await admin(url, "POST", "/key/generate", { key_alias: "dev-1", models: ["amazon.nova-*", CLAUDE], duration: "30d", metadata: { team: "a" } });
    expect(minted.status).toBe(200);
    expect(minted.body.key).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
    expect(minted.body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(minted.body.expires)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const result = await converse(stack, minted.body.key);
    expect(result).toMatchObject({ ok: true, text: expect.stringContaining("Hello") });
    expect(stack.emulator.requests.at(-1)?.verified).toBe(true);
    expect(await converse(stack, minted.body.key, CLAUDE)).toMatchObject({ ok: true });

    const info = await admin(url, "GET", `/key/info?key=${minted.body.key}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ key: minted.body.key, info: { token: minted.body.token, key_alias: "dev-1", spend: expect.any(Number), blocked: false, key_name: `sk-...${minted.body.key.slice(-4)}` } });
    expect(JSON.stringify(info.body.info)).not.toContain(minted.body.key);
    // Spend is live: the two calls above are counted as soon as they settle.
    expect(info.body.info.spend).toBeGreaterThan(0);
  });

  it("refuses a model outside the key's list with 403 naming the model, before Bedrock", async () => {
    const { body: key } = await admin(url, "POST", "/key/generate", { models: ["amazon.nova-*"] });
    const result = await refusedBeforeBedrock(stack, () => converse(stack, key.key, CLAUDE));
    expect(result).toMatchObject({ ok: false, name: "AccessDeniedException", status: 403 });
    expect((result as { message: string }).message).toContain(CLAUDE);
  });

  it("refuses a route outside allowed_routes with 403 naming the operation", async () => {
    const { body: key } = await admin(url, "POST", "/key/generate", { allowed_routes: ["runtime"] });
    expect(await converse(stack, key.key)).toMatchObject({ ok: true });
    const error = await refusedBeforeBedrock(stack, () =>
      agentClient(stack.bedrockUrl, key.key).send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } })).catch((e) => e),
    );
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain("Retrieve");
  });

  it("applies an update at once: the model list shrinks", async () => {
    const { body: key } = await admin(url, "POST", "/key/generate", { models: [NOVA, CLAUDE] });
    expect(await converse(stack, key.key, CLAUDE)).toMatchObject({ ok: true });
    const updated = await admin(url, "POST", "/key/update", { key: key.key, models: [NOVA] });
    expect(updated.status).toBe(200);
    expect(updated.body.models).toEqual([NOVA]);
    expect(await refusedBeforeBedrock(stack, () => converse(stack, key.key, CLAUDE))).toMatchObject({ ok: false, name: "AccessDeniedException" });
    expect(await converse(stack, key.key, NOVA)).toMatchObject({ ok: true });
  });

  it("blocks and unblocks", async () => {
    const { body: key } = await admin(url, "POST", "/key/generate", {});
    expect(await converse(stack, key.key)).toMatchObject({ ok: true });
    expect((await admin(url, "POST", "/key/block", { key: key.key })).body.blocked).toBe(true);
    const refused = await refusedBeforeBedrock(stack, () => converse(stack, key.key));
    expect(refused).toMatchObject({ ok: false, name: "AccessDeniedException", status: 403 });
    expect((refused as { message: string }).message).toMatch(/blocked/);
    expect((await admin(url, "POST", "/key/unblock", { key: key.token })).body.blocked).toBe(false);
    expect(await converse(stack, key.key)).toMatchObject({ ok: true });
  });

  it("refuses an expired key with 401 ExpiredTokenException", async () => {
    const { body: key } = await admin(url, "POST", "/key/generate", { duration: "1s" });
    expect(await converse(stack, key.key)).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 1_100));
    const refused = await refusedBeforeBedrock(stack, () => converse(stack, key.key));
    expect(refused).toMatchObject({ ok: false, name: "ExpiredTokenException", status: 401 });
    expect((refused as { message: string }).message).toMatch(/expired/);
  });

  it("deletes keys (all or nothing) and a deleted key is unknown", async () => {
    const { body: a } = await admin(url, "POST", "/key/generate", {});
    const { body: b } = await admin(url, "POST", "/key/generate", {});
    expect(await converse(stack, a.key)).toMatchObject({ ok: true });
    const partial = await admin(url, "POST", "/key/delete", { keys: [a.key, "sk-does-not-exist"] });
    expect(partial.status).toBe(404);
    expect(await converse(stack, a.key)).toMatchObject({ ok: true });
    const deleted = await admin(url, "POST", "/key/delete", { keys: [a.key, b.token] });
    expect(deleted).toEqual({ status: 200, body: { deleted_keys: [a.key, b.token] } });
    expect(await refusedBeforeBedrock(stack, () => converse(stack, a.key))).toMatchObject({ ok: false, name: "UnrecognizedClientException", status: 401 });
    expect((await admin(url, "GET", `/key/info?key=${b.token}`)).status).toBe(404);
  });

  it("regenerates: the old secret dies at once, the new one keeps settings", async () => {
    const { body: old } = await admin(url, "POST", "/key/generate", { key_alias: "rotating", models: [NOVA] });
    expect(await converse(stack, old.key)).toMatchObject({ ok: true });
    const fresh = await admin(url, "POST", "/key/regenerate", { key: old.key, rpm_limit: 10 });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ key_alias: "rotating", models: [NOVA], rpm_limit: 10 });
    expect(fresh.body.key).not.toBe(old.key);
    expect(await refusedBeforeBedrock(stack, () => converse(stack, old.key))).toMatchObject({ ok: false, name: "UnrecognizedClientException" });
    expect(await converse(stack, fresh.body.key)).toMatchObject({ ok: true });
  });

  it("lets a virtual key read its own info and nothing else", async () => {
    const { body: mine } = await admin(url, "POST", "/key/generate", { user_id: "u-self" });
    const { body: other } = await admin(url, "POST", "/key/generate", {});
    const self = await admin(url, "GET", "/key/info", undefined, mine.key);
    expect(self).toMatchObject({ status: 200, body: { key: mine.token, info: { user_id: "u-self" } } });
    expect((await admin(url, "GET", `/key/info?key=${mine.key}`, undefined, mine.key)).status).toBe(200);
    expect(await admin(url, "GET", `/key/info?key=${other.token}`, undefined, mine.key)).toMatchObject({ status: 403, body: { type: "auth_error" } });
    expect((await admin(url, "GET", "/key/list", undefined, mine.key)).status).toBe(403);
    expect((await admin(url, "POST", "/key/generate", {}, mine.key)).status).toBe(403);
    expect((await admin(url, "POST", "/key/generate", {}, "sk-nope")).status).toBe(401);
  });

  it("lists keys with LiteLLM's paging fields", async () => {
    const page = await admin(url, "GET", "/key/list?size=2&page=1");
    expect(page.status).toBe(200);
    expect(page.body.keys).toHaveLength(2);
    expect(page.body.keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(page.body.total_count).toBeGreaterThan(5);
    expect(page.body.total_pages).toBe(Math.ceil(page.body.total_count / 2));
    const full = await admin(url, "GET", "/key/list?key_alias=rotating&return_full_object=true");
    expect(full.body.keys).toMatchObject([{ key_alias: "rotating", rpm_limit: 10 }]);
  });

  it("answers bad input with a clear 400 and writes nothing", async () => {
    const before = (await admin(url, "GET", "/key/list")).body.total_count;
    const cases: [unknown, RegExp][] = [
      [{ max_budget: -1 }, /max_budget must not be negative/],
      [{ max_budget: "10" }, /max_budget must be a number/],
      [{ duration: "10 days" }, /duration must be/],
      [{ budget_duration: "1w" }, /budget_duration must be/],
      [{ rpm_limit: 1.5 }, /rpm_limit must be an integer/],
      [{ models: "amazon.nova-lite-v1:0" }, /models must be a list/],
      [{ allowed_routes: ["runtime", "everything"] }, /unknown route "everything"/],
      [{ max_budgte: 5 }, /Unknown field "max_budgte"/],
      [{ expires: "tomorrow" }, /expires must be an ISO-8601/],
      [{ metadata: [1] }, /metadata must be a JSON object/],
      ["not json", /not valid JSON/],
      ["[]", /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await admin(url, "POST", "/key/generate", body);
      expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { type: "invalid_request_error", message: expect.stringMatching(message) } });
    }
    const { body: key } = await admin(url, "POST", "/key/generate", { key_alias: "unique-alias", max_budget: 5 });
    expect(await admin(url, "POST", "/key/generate", { key_alias: "unique-alias" })).toMatchObject({ status: 400, body: { message: /key_alias/ } });
    expect(await admin(url, "POST", "/key/update", { key: key.key, key_alias: "dev-1", max_budget: 1 })).toMatchObject({ status: 400 });
    expect(await admin(url, "POST", "/key/update", { key: key.key, max_budget: -5 })).toMatchObject({ status: 400 });
    expect((await admin(url, "GET", `/key/info?key=${key.key}`)).body.info).toMatchObject({ key_alias: "unique-alias", max_budget: 5 });
    expect(await admin(url, "POST", "/key/update", { key: "sk-missing", max_budget: 1 })).toMatchObject({ status: 404, body: { type: "not_found_error" } });
    expect(await admin(url, "POST", "/key/delete", { keys: [] })).toMatchObject({ status: 400 });
    expect(await admin(url, "POST", "/key/block", {})).toMatchObject({ status: 400, body: { message: /key is required/ } });
    expect(await admin(url, "GET", "/key/list?size=0")).toMatchObject({ status: 400 });
    expect((await admin(url, "GET", "/key/list")).body.total_count).toBe(before + 1);
  });

  it("keeps the master key as an all-access key", async () => {
    expect(await converse(stack, MASTER, "any.model-id")).toMatchObject({ ok: true });
  });
});

describe("two gateway instances on one PostgreSQL database", () => {
  let db: ThrowawayDatabase;
  let stack: Stack;
  let second: GatewayProcess;

  beforeAll(async () => {
    db = await throwawayPostgres();
    stack = await startStack({ MASTER_KEY: MASTER, DATABASE_URL: db.url });
    second = await startGateway({ ...emulatorEnv(stack.emulator), MASTER_KEY: MASTER, DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    await db?.drop();
  });

  it("a key blocked on one is refused by the other within a second", async () => {
    const { body: key } = await admin(stack.gateway.url, "POST", "/key/generate", {});
    const viaSecond = { ...stack, bedrockUrl: second.url + "/bedrock" };
    // The second instance now holds the key in its cache.
    expect(await converse(viaSecond, key.key)).toMatchObject({ ok: true });
    expect((await admin(stack.gateway.url, "POST", "/key/block", { key: key.key })).status).toBe(200);
    const blockedAt = Date.now();
    let result = await converse(viaSecond, key.key);
    while (result.ok && Date.now() - blockedAt < 3_000) {
      await new Promise((r) => setTimeout(r, 25));
      result = await converse(viaSecond, key.key);
    }
    expect(result).toMatchObject({ ok: false, name: "AccessDeniedException" });
    expect(Date.now() - blockedAt).toBeLessThan(1_000);
  });

  it("a key regenerated on one stops working on the other within a second", async () => {
    const { body: key } = await admin(second.url, "POST", "/key/generate", {});
    expect(await converse(stack, key.key)).toMatchObject({ ok: true });
    await admin(second.url, "POST", "/key/regenerate", { key: key.key });
    const start = Date.now();
    let result = await converse(stack, key.key);
    while (result.ok && Date.now() - start < 3_000) {
      await new Promise((r) => setTimeout(r, 25));
      result = await converse(stack, key.key);
    }
    expect(result).toMatchObject({ ok: false, name: "UnrecognizedClientException" });
    expect(Date.now() - start).toBeLessThan(1_000);
  });
});

describe("open mode (no MASTER_KEY)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({});
  });
  afterAll(async () => stack?.stop());

  it("refuses the key API with a hint to set MASTER_KEY, and the passthrough stays open", async () => {
    const res = await admin(stack.gateway.url, "POST", "/key/generate", {}, "anything");
    expect(res).toMatchObject({ status: 403, body: { type: "auth_error", message: expect.stringContaining("MASTER_KEY") } });
    expect(await converse(stack, "anything")).toMatchObject({ ok: true });
  });
});
