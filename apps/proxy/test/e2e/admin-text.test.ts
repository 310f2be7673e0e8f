import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const MASTER = "sk-master-admin-text";

/** Raw JSON text, so escapes such as \u0000 and \ud800 reach the gateway exactly as a hostile client writes them. */
async function admin(url: string, method: "GET" | "POST", path: string, rawBody?: string) {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: rawBody });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), body: JSON.parse(text) as { message: string; type?: string } };
}

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("admin text that a store cannot keep, on %s", (_driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    db = await makeDatabase();
    gateway = await startGateway({ MASTER_KEY: MASTER, DATABASE_URL: db.url, AWS_ACCESS_KEY_ID: "AKIAX", AWS_SECRET_ACCESS_KEY: "x" });
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it.each([
    ["NUL in user_id", "/key/generate", '{"user_id": "al\\u0000ice"}'],
    ["a lone high surrogate in user_id", "/key/generate", '{"user_id": "al\\ud800ice"}'],
    ["a lone low surrogate in key_alias", "/key/generate", '{"key_alias": "x\\udc00"}'],
    ["NUL in a metadata value", "/key/generate", '{"metadata": {"a": ["ok", "b\\u0000"]}}'],
    ["NUL in a field name", "/key/generate", '{"metadata": {"a\\u0000": 1}}'],
    ["NUL in an end user id", "/end_user/new", '{"user_id": "e\\u0000"}'],
    ["a lone surrogate in a team id", "/team/new", '{"team_id": "\\udfff"}'],
  ])("refuses %s with a 400 JSON error, storing nothing", async (_name, path, body) => {
    const answer = await admin(gateway.url, "POST", path, body);
    expect(answer).toMatchObject({ status: 400, body: { type: "invalid_request_error" } });
    expect(answer.body.message).toMatch(/NUL character|unpaired UTF-16 surrogate/);
    const keys = await admin(gateway.url, "GET", "/key/list?return_full_object=true");
    expect(keys.status).toBe(200);
  });

  it("keeps well-formed text, astral characters included", async () => {
    const answer = await admin(gateway.url, "POST", "/key/generate", JSON.stringify({ user_id: "ali😀ce", key_alias: "日本" }));
    expect(answer.status).toBe(200);
    const listed = await admin(gateway.url, "GET", "/key/list?user_id=" + encodeURIComponent("ali😀ce"));
    expect(listed.status).toBe(200);
  });

  it.each([
    "/spend/logs?user_id=a%00b",
    "/spend/logs?end_user=%ED%A0%80",
    "/spend/logs?model=%C0",
    "/spend/logs?api_key=x%00",
    "/key/list?user_id=%00",
    "/key/list?key_alias=%ED%B0%80",
    "/key/info?key=sk-%00",
    "/user/info?user_id=%00",
  ])("refuses the filter in %s with a 400 JSON error", async (path) => {
    const answer = await admin(gateway.url, "GET", path);
    expect(answer).toMatchObject({ status: 400, type: expect.stringContaining("application/json"), body: { type: "invalid_request_error" } });
    expect(answer.body.message).toMatch(/NUL character|not valid percent-encoded UTF-8/);
  });

  it.each(["2030-02-30T00:00:00Z", "2030-13-01T00:00:00Z", "2031-02-29T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:60:00Z", "2030-01-01T00:00:00"])(
    "refuses expires %s (out of range, or no time zone) instead of rolling it over",
    async (expires) => {
      const answer = await admin(gateway.url, "POST", "/key/generate", JSON.stringify({ expires }));
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/expires must be an ISO-8601/);
    },
  );

  it("accepts a real date-time, a leap day and an offset", async () => {
    for (const expires of ["2032-02-29T00:00:00Z", "2030-01-31T23:59:59.5+02:00"]) {
      const answer = await admin(gateway.url, "POST", "/key/generate", JSON.stringify({ expires }));
      expect(answer.status, expires).toBe(200);
      expect(Date.parse((answer.body as any).expires)).toBe(Date.parse(expires));
    }
  });
});
