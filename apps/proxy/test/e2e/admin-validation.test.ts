import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, proxyRuntime, type GatewayProcess } from "../support/gateway-process.ts";
import { throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

/**
 * Admin requests are validated against openapi/gateway.yaml's schemas (admin/spec-validation.ts): every refusal a
 * 400 `{"message", "type"}` that names the field and what the spec expects there, with nothing written; and only
 * after the caller is authenticated, so an unauthenticated request costs no body read and no validation.
 */
const MASTER = "sk-master-admin-validation";

interface Answer {
  status: number;
  body: any;
}

async function call(url: string, method: "GET" | "POST", path: string, body?: unknown, key: string | null = MASTER): Promise<Answer> {
  const res = await fetch(url + path, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The status line of the answer to a POST whose declared 1 MiB body never arrives (only 16 bytes are sent). */
function answerWithoutBody(port: number, path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      const lines = [`POST ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, "content-type: application/json", `content-length: ${1024 * 1024}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.write(lines.join("\r\n") + "\r\n\r\n" + '{"key_alias": "x');
    });
    const timer = setTimeout(() => (socket.destroy(), resolve("no answer")), 3_000);
    socket.once("data", (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunk.toString("latin1").split("\r\n")[0]!);
    });
    socket.on("error", () => {});
  });
}

describe(`admin requests validated from the OpenAPI spec (${proxyRuntime})`, () => {
  let db: ThrowawayDatabase;
  let gateway: GatewayProcess;
  let virtualKey: string;
  const keyCount = async () => (await call(gateway.url, "GET", "/key/list")).body.total_count as number;

  beforeAll(async () => {
    db = await throwawaySqlite();
    gateway = await startGateway({ MASTER_KEY: MASTER, DATABASE_URL: db.url, AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "x" });
    virtualKey = (await call(gateway.url, "POST", "/key/generate", { key_alias: "caller" })).body.key;
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it.each<[string, string, unknown, RegExp]>([
    // Unknown fields: refused by name, as before (a typo must not mint an unlimited key).
    ["an unknown field", "/key/generate", { max_budgte: 5 }, /^Unknown field "max_budgte"\.$/],
    ["an unknown field beside the key", "/key/block", { key: "sk-x", blocked: true }, /^Unknown field "blocked"\.$/],
    ["an unknown field of a user", "/user/new", { user_id: "u", rpm: 1 }, /^Unknown field "rpm"\.$/],
    // Wrong types.
    ["a number for a name", "/key/generate", { key_alias: 5 }, /^key_alias must be a string or null, got 5\.$/],
    ["a string for a limit", "/key/generate", { rpm_limit: "10" }, /^rpm_limit must be an integer or null, got "10"\.$/],
    ["a fraction for a limit", "/key/generate", { tpm_limit: 2.5 }, /^tpm_limit must be an integer or null, got 2\.5\.$/],
    ["a string for aws_credentials", "/key/generate", { aws_credentials: "yes" }, /^aws_credentials must be true or false, got "yes"\.$/],
    ["null metadata", "/key/generate", { metadata: null }, /^metadata must be a JSON object, got null\.$/],
    ["a number in the model list", "/key/generate", { models: ["amazon.nova-lite-v1:0", 7] }, /^models\[1\] must be a string, got 7\.$/],
    ["a list for keys that is a string", "/key/delete", { keys: "sk-x" }, /^keys must be a list, got "sk-x"\.$/],
    // Out of range.
    ["a negative budget", "/key/generate", { max_budget: -0.01 }, /^max_budget must not be negative, got -0\.01\.$/],
    ["a limit past 32 bits", "/key/generate", { rpm_limit: 2_147_483_648 }, /^rpm_limit must be at most 2147483647, got 2147483648\.$/],
    ["a budget JSON reads as Infinity", "/key/generate", '{"max_budget": 1e400}', /^max_budget must be a number or null/],
    ["an empty alias", "/key/generate", { key_alias: "" }, /^key_alias must not be empty\.$/],
    ["an alias of 257 characters", "/key/generate", { key_alias: "a".repeat(257) }, /^key_alias must be at most 256 characters long\.$/],
    ["metadata over 16 KiB", "/key/generate", { metadata: { note: "x".repeat(17_000) } }, /^metadata must be at most 16384 characters as JSON\.$/],
    ["a zero-length budget period", "/key/generate", { budget_duration: "0d" }, /^budget_duration must be a positive whole number followed by s, m, h or d/],
    ["a lifetime over a century", "/key/generate", { duration: "40000d" }, /^duration must be .*at most 100 years, got "40000d"\.$/],
    ["an empty key list", "/key/delete", { keys: [] }, /^keys must have at least 1 entry\.$/],
    ["an empty key in the list", "/key/delete", { keys: [""] }, /^keys\[0\] must not be empty\.$/],
    // Model allow-lists and routes.
    ["a model id with a space", "/key/generate", { models: ["anthropic.*", "amazon nova"] }, /^models\[1\] must be a model id, inference profile id or ARN .*got "amazon nova"\.$/],
    ["more than 500 models", "/key/generate", { models: Array.from({ length: 501 }, (_, i) => `m${i}`) }, /^models must have at most 500 entries\.$/],
    ["an unknown route", "/key/generate", { allowed_routes: ["Converse", "Everything"] }, /^allowed_routes\[1\]: unknown route "Everything"; use a group \(runtime, /],
    ["a region of the wrong shape", "/key/generate", { allowed_regions: ["eu-west-1", "EU"] }, /^allowed_regions\[1\] must be an AWS region name such as eu-west-1, got "EU"\.$/],
    // Budgets of users, teams and end users.
    ["a user without user_id", "/user/new", { max_budget: 5 }, /^user_id is required\.$/],
    ["a team budget as text", "/team/new", { team_id: "t", max_budget: "5" }, /^max_budget must be a number or null, got "5"\.$/],
    ["a team period that is a word", "/team/update", { team_id: "t", budget_duration: "monthly" }, /^budget_duration must be a positive whole number/],
    ["a team region list with a number", "/team/new", { team_id: "t", allowed_regions: [1] }, /^allowed_regions\[0\] must be a string, got 1\.$/],
    ["an end user without any id", "/end_user/new", { max_budget: 1 }, /^end_user_id or user_id is required\.$/],
    ["a customer with a negative limit", "/customer/new", { user_id: "c", rpm_limit: -1 }, /^rpm_limit must not be negative, got -1\.$/],
  ])("refuses %s with a 400 naming the field, and writes nothing", async (_name, path, body, message) => {
    const before = await keyCount();
    const answer = await call(gateway.url, "POST", path, body);
    expect(answer).toMatchObject({ status: 400, body: { type: "invalid_request_error", message: expect.stringMatching(message) } });
    expect(await keyCount()).toBe(before);
  });

  it("stores nothing of a refused user, team or end user", async () => {
    expect((await call(gateway.url, "POST", "/team/new", { team_id: "never", max_budget: -1 })).status).toBe(400);
    expect((await call(gateway.url, "GET", "/team/info?team_id=never")).status).toBe(404);
  });

  it.each<[string, RegExp]>([
    ["/key/list?size=101", /^size must be at most 100, got 101\.$/],
    ["/key/list?page=abc", /^page must be an integer, got "abc"\.$/],
    ["/key/list?return_full_object=yes", /^return_full_object must be true or false, got "yes"\.$/],
    ["/spend/report?bucket=week", /^bucket must be one of hour, day, got "week"\.$/],
    ["/spend/logs?page_size=5000", /^page_size must be at most 1000, got 5000\.$/],
    ["/key/search?state=lost", /^state must be one of active, blocked, expired, got "lost"\.$/],
    ["/user/info", /^user_id is required\.$/],
    ["/end_user/info?end_user_id=", /^end_user_id must not be empty\.$/],
  ])("refuses the query %s with a 400 naming the parameter", async (path, message) => {
    expect(await call(gateway.url, "GET", path)).toMatchObject({ status: 400, body: { type: "invalid_request_error", message: expect.stringMatching(message) } });
  });

  it("accepts what the spec allows: LiteLLM's no-effect fields, null to clear, defaults for the query", async () => {
    const minted = await call(gateway.url, "POST", "/key/generate", {
      key_alias: "valid-1",
      models: ["anthropic.*", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "anthropic.*"],
      allowed_routes: ["runtime", "Converse"],
      allowed_regions: ["eu-west-1", "us-gov-west-1"],
      max_budget: 0,
      budget_duration: "30d",
      rpm_limit: 2_147_483_647,
      expires: null,
      metadata: { team: { cost_center: 42 } },
      tags: ["a"],
      soft_budget: 5,
      key_type: "llm_api",
      config: {},
    });
    expect(minted.status).toBe(200);
    expect(minted.body).toMatchObject({ models: ["anthropic.*", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"], max_budget: 0, metadata: { team: { cost_center: 42 } } });
    expect(minted.body).not.toHaveProperty("tags");
    const cleared = await call(gateway.url, "POST", "/key/update", { key: minted.body.key, models: null, allowed_regions: null, budget_duration: null, rpm_limit: null });
    expect(cleared.body).toMatchObject({ models: [], allowed_regions: [], budget_duration: null, budget_reset_at: null, rpm_limit: null });
    const page = await call(gateway.url, "GET", "/key/list");
    expect(page.body).toMatchObject({ current_page: 1 });
    expect(page.body.keys.length).toBeLessThanOrEqual(10);
    const team = await call(gateway.url, "POST", "/team/new", { team_id: "valid-team", allowed_regions: ["eu-west-1"], team_alias: "ignored", max_budget: 10 });
    expect(team).toMatchObject({ status: 200, body: { team_id: "valid-team", allowed_regions: ["eu-west-1"], max_budget: 10 } });
  });

  it("authenticates before it validates: no key is a 401, a virtual key on a master route a 403, whatever the body", async () => {
    expect(await call(gateway.url, "POST", "/key/generate", { max_budgte: 5 }, null)).toMatchObject({ status: 401, body: { type: "auth_error" } });
    expect(await call(gateway.url, "POST", "/key/generate", "not json", "sk-wrong")).toMatchObject({ status: 401 });
    expect(await call(gateway.url, "POST", "/user/new", { rpm: 1 }, virtualKey)).toMatchObject({ status: 403, body: { message: "Only the master key may call POST /user/new." } });
    expect(await call(gateway.url, "GET", "/key/list?size=0", undefined, virtualKey)).toMatchObject({ status: 403 });
    // Operations the spec marks x-gateway-access: self are a virtual key's own, validated like any other.
    expect(await call(gateway.url, "GET", "/spend/logs?page=0", undefined, virtualKey)).toMatchObject({ status: 400, body: { message: /^page must be at least 1/ } });
    expect((await call(gateway.url, "GET", "/key/info", undefined, virtualKey)).status).toBe(200);
  });

  it("answers an unauthenticated write without waiting for its body", async () => {
    const port = Number(new URL(gateway.url).port);
    expect(await answerWithoutBody(port, "/key/generate", {})).toMatch(/^HTTP\/1\.1 401/);
    expect(await answerWithoutBody(port, "/team/new", { authorization: "Bearer sk-not-a-key" })).toMatch(/^HTTP\/1\.1 401/);
  });
});
