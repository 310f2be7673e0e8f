import { describe, expect, it } from "vitest";
import { createGatewayAdminClient, type GenerateKeyRequest } from "../src/index.ts";

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

function fakeFetch(status: number, answer: unknown) {
  const seen: Seen[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = await request.text();
    seen.push({ method: request.method, url: request.url, authorization: request.headers.get("authorization"), body: text ? JSON.parse(text) : undefined });
    return new Response(JSON.stringify(answer), { status, headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const keyResponse = {
  key: "sk-new",
  key_alias: "ci",
  token: "hash",
  expires: null,
  models: [],
  allowed_routes: ["runtime"],
  max_budget: 10,
  budget_duration: "30d",
  rpm_limit: null,
  tpm_limit: null,
  user_id: null,
  team_id: null,
  metadata: {},
  created_at: "2025-01-01T00:00:00Z",
};

describe("createGatewayAdminClient", () => {
  it("POSTs /key/generate with the bearer key and a typed body", async () => {
    const { fetch, seen } = fakeFetch(200, keyResponse);
    const admin = createGatewayAdminClient("sk-master", { baseUrl: "http://gw.test:4000/", fetch });
    const body: GenerateKeyRequest = { key_alias: "ci", max_budget: 10, budget_duration: "30d", allowed_routes: ["runtime"] };
    const { data, error } = await admin.POST("/key/generate", { body });
    expect(error).toBeUndefined();
    expect(data?.key).toBe("sk-new");
    expect(seen).toEqual([{ method: "POST", url: "http://gw.test:4000/key/generate", authorization: "Bearer sk-master", body }]);
  });

  it("sends query parameters and surfaces the {message,type} error body", async () => {
    const { fetch, seen } = fakeFetch(404, { message: "no such key", type: "not_found_error" });
    const admin = createGatewayAdminClient("sk-master", { baseUrl: "http://gw.test:4000", fetch });
    const { data, error, response } = await admin.GET("/key/info", { params: { query: { key: "sk-abc" } } });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(error).toEqual({ message: "no such key", type: "not_found_error" });
    expect(seen[0].url).toBe("http://gw.test:4000/key/info?key=sk-abc");
  });

  it("derives the gateway root from BEDROCK_PROXY_URL by dropping /bedrock", async () => {
    const saved = process.env.BEDROCK_PROXY_URL;
    process.env.BEDROCK_PROXY_URL = "http://gw.test:9999/bedrock/";
    try {
      const { fetch, seen } = fakeFetch(200, { status: "ok" });
      await createGatewayAdminClient("sk-master", { fetch }).GET("/health/liveliness");
      expect(seen[0].url).toBe("http://gw.test:9999/health/liveliness");
    } finally {
      if (saved === undefined) delete process.env.BEDROCK_PROXY_URL;
      else process.env.BEDROCK_PROXY_URL = saved;
    }
  });

  it("rejects wrong bodies at compile time (checked by tsc --noEmit)", async () => {
    const { fetch } = fakeFetch(200, keyResponse);
    const admin = createGatewayAdminClient("sk-master", { baseUrl: "http://gw.test", fetch });
    // @ts-expect-error max_budget is a number
    await admin.POST("/key/generate", { body: { max_budget: "lots" } });
    // @ts-expect-error /key/delete needs `keys`
    await admin.POST("/key/delete", { body: { key: "sk-x" } });
    // @ts-expect-error no such admin route
    await admin.GET("/key/everything");
    expect(true).toBe(true);
  });
});
