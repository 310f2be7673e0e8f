import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createEmulator, startEmulator, type RunningEmulator } from "../src/index.ts";
import { converseBody, creds, signedFetch, signRequest } from "./helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.options.now = undefined;
  emu.options.regions = undefined;
  emu.options.sessionToken = undefined;
});

async function errorOf(res: Response) {
  return { status: res.status, type: res.headers.get("x-amzn-errortype"), message: ((await res.json()) as { message: string }).message };
}

describe("accepts what SigV4 signers produce", () => {
  test("plain model id", async () => {
    const res = await signedFetch(emu.url, { path: "/model/amazon.nova-lite-v1/converse", body: converseBody() });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-emulator-service")).toBe("bedrock-runtime");
    expect(res.headers.get("x-emulator-signing-region")).toBe("us-east-1");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("model id with ':' sent as %3A (double-encoded in the canonical request)", async () => {
    const res = await signedFetch(emu.url, { path: "/model/cohere.command-r-v1%3A0/converse", body: converseBody() });
    expect(res.status).toBe(200);
    expect(emu.requests[0]!.rawPath).toBe("/model/cohere.command-r-v1%3A0/converse");
  });

  test("model id with a literal ':' (curl style)", async () => {
    const res = await signedFetch(emu.url, { path: "/model/cohere.command-r-v1:0/converse", body: converseBody() });
    expect(res.status).toBe(200);
  });

  test("ARN model id with %3A and %2F", async () => {
    const arn = encodeURIComponent("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc");
    const res = await signedFetch(emu.url, { path: `/model/${arn}/invoke`, body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe("message");
  });

  test("query string is part of the signature", async () => {
    const arn = encodeURIComponent("arn:aws:bedrock:us-east-1:123456789012:agent/AG1");
    const ok = await signedFetch(emu.url, { method: "DELETE", path: `/tags/${arn}`, query: { tagKeys: "team/a b" } });
    expect(ok.status).toBe(200);
    const bad = await signedFetch(emu.url, { method: "DELETE", path: `/tags/${arn}`, query: { tagKeys: "x" } }, (r) => {
      r.url = r.url.replace("tagKeys=x", "tagKeys=y");
    });
    expect(await errorOf(bad)).toMatchObject({ status: 403, type: "InvalidSignatureException" });
  });

  test("extra unsigned headers (e.g. from a front proxy) are ignored", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() }, (r) => {
      r.headers["x-forwarded-for"] = "10.0.0.1";
    });
    expect(res.status).toBe(200);
  });

  test("configured session token, signed", async () => {
    emu.options.sessionToken = "session-token-1";
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), sessionToken: "session-token-1" });
    expect(res.status).toBe(200);
  });
});

describe("rejects like AWS", () => {
  test("tampered body", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody("a b") }, (r) => {
      r.body = converseBody("a c");
    });
    expect(await errorOf(res)).toMatchObject({ status: 403, type: "InvalidSignatureException" });
  });

  test("tampered body with x-amz-content-sha256 removed", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody("a b") }, (r) => {
      r.body = converseBody("a c");
      delete r.headers["x-amz-content-sha256"];
    });
    const err = await errorOf(res);
    expect(err).toMatchObject({ status: 403, type: "InvalidSignatureException" });
  });

  test("tampered path", async () => {
    const res = await signedFetch(emu.url, { path: "/model/a%3A1/converse", body: converseBody() }, (r) => {
      r.url = r.url.replace("a%3A1", "a%3A2");
    });
    const err = await errorOf(res);
    expect(err.type).toBe("InvalidSignatureException");
    expect(err.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
    expect(err.message).toContain("/model/a%253A2/converse");
  });

  test("wrong secret", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), secretAccessKey: "nope" });
    const err = await errorOf(res);
    expect(err).toMatchObject({ status: 403, type: "InvalidSignatureException" });
    expect(err.message).toMatch(/does not match the signature you provided/);
  });

  test("unknown access key", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), accessKeyId: "AKIAOTHER" });
    expect(await errorOf(res)).toMatchObject({ status: 403, type: "UnrecognizedClientException" });
  });

  test("wrong service in the scope", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), service: "bedrock-runtime" });
    const err = await errorOf(res);
    expect(err).toMatchObject({ status: 403, type: "InvalidSignatureException" });
    expect(err.message).toMatch(/correct service: 'bedrock'/);
  });

  test("region not allowed / not region-shaped", async () => {
    const bogus = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), region: "moon" });
    expect((await errorOf(bogus)).type).toBe("InvalidSignatureException");
    emu.options.regions = ["eu-west-1"];
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), region: "us-east-1" });
    expect((await errorOf(res)).message).toMatch(/valid region/);
    const ok = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), region: "eu-west-1" });
    expect(ok.headers.get("x-emulator-signing-region")).toBe("eu-west-1");
  });

  test("expired and not-yet-current dates (injected clock)", async () => {
    emu.options.now = () => Date.now() + 6 * 60_000;
    const expired = await errorOf(await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() }));
    expect(expired).toMatchObject({ status: 403, type: "InvalidSignatureException" });
    expect(expired.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    emu.options.now = () => Date.now() - 6 * 60_000;
    const future = await errorOf(await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() }));
    expect(future.message).toMatch(/^Signature not yet current/);
    emu.options.now = () => Date.now() + 4 * 60_000;
    expect((await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() })).status).toBe(200);
  });

  test("scope date must match x-amz-date", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() }, (r) => {
      const d = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
      r.headers.authorization = r.headers.authorization!.replace(/Credential=([^/]+)\/\d{8}\//, `Credential=$1/${d}/`);
    });
    expect((await errorOf(res)).message).toMatch(/Date in Credential scope does not match/);
  });

  test("host must be signed", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), unsignableHeaders: new Set(["host"]) });
    expect((await errorOf(res)).message).toMatch(/'Host' or ':authority' must be a 'SignedHeader'/);
  });

  test("a security token that is present but unsigned is refused", async () => {
    emu.options.sessionToken = "session-token-1";
    const unsigned = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() }, (r) => {
      r.headers["x-amz-security-token"] = "session-token-1";
    });
    expect(await errorOf(unsigned)).toMatchObject({ status: 403, type: "UnrecognizedClientException" });
    const missing = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() });
    expect((await errorOf(missing)).type).toBe("UnrecognizedClientException");
    const wrong = await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), sessionToken: "other" });
    expect((await errorOf(wrong)).type).toBe("UnrecognizedClientException");
  });

  test("missing, bearer and malformed Authorization", async () => {
    const none = await fetch(`${emu.url}/model/m/converse`, { method: "POST", body: converseBody() });
    expect(await errorOf(none)).toMatchObject({ status: 403, type: "MissingAuthenticationTokenException" });
    const bearer = await fetch(`${emu.url}/model/m/converse`, { method: "POST", body: converseBody(), headers: { authorization: "Bearer abc" } });
    expect((await errorOf(bearer)).type).toBe("IncompleteSignatureException");
    const partial = await fetch(`${emu.url}/model/m/converse`, {
      method: "POST",
      body: converseBody(),
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20240101/us-east-1/bedrock/aws4_request` },
    });
    expect((await errorOf(partial)).message).toMatch(/requires 'SignedHeaders' parameter/);
  });

  test("every request that arrives is recorded, verified or not", async () => {
    await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody(), secretAccessKey: "nope" });
    await signedFetch(emu.url, { path: "/model/m/converse", body: converseBody() });
    expect(emu.requests.map((r) => [r.operation, r.verified])).toEqual([
      ["Converse", false],
      ["Converse", true],
    ]);
    expect(emu.requests[0]!.error).toMatch(/^InvalidSignatureException/);
  });
});

describe("routing and request errors", () => {
  test("unknown path is 404 UnknownOperationException (after auth)", async () => {
    const res = await signedFetch(emu.url, { path: "/nothing/here", body: "{}" });
    expect(await errorOf(res)).toMatchObject({ status: 404, type: "UnknownOperationException" });
    const wrongMethod = await signedFetch(emu.url, { method: "GET", path: "/model/m/converse" });
    expect(wrongMethod.status).toBe(404);
  });

  test("bad JSON is 400 ValidationException", async () => {
    const res = await signedFetch(emu.url, { path: "/model/m/converse", body: "{not json" });
    expect(await errorOf(res)).toMatchObject({ status: 400, type: "ValidationException" });
  });

  test("works as a bare fetch handler (createEmulator)", async () => {
    const local = createEmulator({ recordRequests: false });
    const r = await signRequest("http://emulator.local", { path: "/model/m%3A1/count-tokens", body: JSON.stringify({ input: { converse: { messages: [{ role: "user", content: [{ text: "a b c" }] }] } } }) });
    const res = await local.fetch(new Request(r.url, { method: r.method, headers: r.headers, body: r.body }));
    expect(await res.json()).toEqual({ inputTokens: 3 });
    expect(local.requests).toHaveLength(0);
  });
});
