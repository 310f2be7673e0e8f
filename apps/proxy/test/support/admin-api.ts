import { expect } from "vitest";

/** The admin API as a test calls it with the master key: GET without a body, POST with one; the parsed answer. */
export function adminApi(gatewayUrl: () => string, masterKey: string) {
  return async (path: string, body?: unknown): Promise<any> => {
    const res = await fetch(gatewayUrl() + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${masterKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
}

/** The spend row of a call, found by the request id Bedrock answered with (relayed in `x-amzn-requestid`). */
export async function spendRowOf(admin: ReturnType<typeof adminApi>, response: Response): Promise<any> {
  const requestId = response.headers.get("x-amzn-requestid");
  expect(requestId).toBeTruthy();
  for (let i = 0; i < 100; i++) {
    const row = (await admin("/spend/logs?page_size=1000")).data.find((r: any) => r.upstream_request_id === requestId);
    if (row) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no spend row for ${requestId}`);
}
