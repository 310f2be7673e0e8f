import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import net from "node:net";
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { agentClient, emulatorEnv, runtimeClient, startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime, startGateway } from "../support/gateway-process.ts";

const MASTER = "sk-master-refusals";
let stack: Stack;
const hello = { messages: [{ role: "user" as const, content: [{ text: "Hello" }] }] };
const converseUrl = () => stack.bedrockUrl + "/model/cohere.command-r-v1:0/converse";

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

/** Sends bytes exactly as written: fetch and SDKs would normalise `..` before it left the client. */
function rawHttp(port: number, requestLine: string, headers: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write([requestLine, "Host: 127.0.0.1", `Authorization: Bearer ${MASTER}`, "Content-Length: 2", "Connection: close", ...headers, "", "{}"].join("\r\n"));
    });
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString()));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
}

describe(`refused requests never reach Bedrock (${proxyRuntime})`, () => {
  it("runs on the requested runtime", () => {
    expect(stack.gateway.output.join("\n")).toContain(`(${proxyRuntime})`);
  });

  it("no key: 401 UnrecognizedClientException, typed in the SDK", async () => {
    const res = await fetch(converseUrl(), { method: "POST", body: JSON.stringify(hello) });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-amzn-errortype")).toBe("UnrecognizedClientException");
    expect((await res.json()).message).toMatch(/key/i);
    const error = await runtimeClient(stack.bedrockUrl, "sk-wrong").send(new ConverseCommand({ modelId: "m", ...hello })).catch((e) => e);
    expect(error.name).toBe("UnrecognizedClientException");
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("a client SigV4 signature alone carries no gateway key: 401", async () => {
    const error = await agentClient(stack.bedrockUrl, "", "x-unused")
      .send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } }))
      .catch((e) => e);
    expect(error.name).toBe("UnrecognizedClientException");
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("a region header that is not a region: 400, and a real one picks the signing region", async () => {
    for (const bad of ["evil.example.com", "us-east-1.attacker", "../us-east-1", "US-EAST-1"]) {
      const res = await fetch(converseUrl(), { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "x-bedrock-region": bad }, body: JSON.stringify(hello) });
      expect(res.status).toBe(400);
      expect(res.headers.get("x-amzn-errortype")).toBe("ValidationException");
    }
    expect(stack.emulator.requests).toHaveLength(0);
    const ok = await fetch(converseUrl(), { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "x-bedrock-region": "eu-west-1" }, body: JSON.stringify(hello) });
    expect(ok.status).toBe(200);
    expect(stack.emulator.requests[0].signingRegion).toBe("eu-west-1");
  });

  it("unknown first segment: 404 UnknownOperationException, not a guess", async () => {
    const res = await fetch(stack.bedrockUrl + "/not-a-bedrock-api", { headers: { authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("path traversal is refused or normalised away before routing, never forwarded raw", async () => {
    for (const target of ["/bedrock/../x", "/bedrock/model/../../health/liveliness", "/bedrock/model/%2e%2e/%2e%2e/x/converse", "/bedrock/model//converse", "/bedrock/model/a%5c..%5cb/converse"]) {
      const response = await rawHttp(stack.gateway.port, `POST ${target} HTTP/1.1`);
      const status = Number(response.split(" ")[1]);
      expect(status, target).toBeGreaterThanOrEqual(400);
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("drops client auth, cookies, hop-by-hop and x-forwarded-* headers; keeps the signature valid", async () => {
    const res = await fetch(converseUrl(), {
      method: "POST",
      headers: {
        authorization: `Bearer ${MASTER}`,
        "x-api-key": MASTER,
        "x-litellm-api-key": MASTER,
        cookie: "session=secret",
        "x-forwarded-for": "10.1.2.3",
        "x-forwarded-host": "evil",
        "x-amz-security-token": "client-token",
        "x-amz-date": "20200101T000000Z",
        "x-custom-thing": "nope",
        "content-type": "application/json",
      },
      body: JSON.stringify(hello),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amzn-requestid")).toBeTruthy();
    const seen = stack.emulator.requests[0];
    expect(seen.verified).toBe(true);
    const names = Object.keys(seen.headers);
    for (const dropped of ["x-api-key", "x-litellm-api-key", "cookie", "x-forwarded-for", "x-forwarded-host", "x-custom-thing"]) expect(names).not.toContain(dropped);
    expect(JSON.stringify(seen.headers)).not.toContain(MASTER);
    expect(seen.headers["x-amz-security-token"]).toBeUndefined();
  });

  it("health endpoints answer", async () => {
    expect((await fetch(stack.gateway.url + "/health/liveliness")).status).toBe(200);
    const ready = await fetch(stack.gateway.url + "/health/readiness");
    expect(ready.status).toBe(200);
    expect((await ready.json()).credentials).toBe("ok");
  });
});

describe(`gateway edge cases (${proxyRuntime})`, () => {
  it("a body over MAX_REQUEST_BODY_MB: 413 AWS-shaped, declared or chunked, never forwarded", async () => {
    const gw = await startGateway({ ...emulatorEnv(stack.emulator), MASTER_KEY: MASTER, MAX_REQUEST_BODY_MB: "1" });
    try {
      stack.emulator.reset();
      const big = new Uint8Array(1024 * 1024 + 10).fill(32);
      const declared = await fetch(gw.url + "/bedrock/model/m/converse", { method: "POST", headers: { authorization: `Bearer ${MASTER}` }, body: big });
      expect(declared.status).toBe(413);
      expect(declared.headers.get("x-amzn-errortype")).toBe("ValidationException");
      expect((await declared.json()).message).toMatch(/MAX_REQUEST_BODY_MB/);
      const chunks = [big.subarray(0, 600_000), big.subarray(600_000)];
      const chunked = await fetch(gw.url + "/bedrock/model/m/converse", {
        method: "POST",
        headers: { authorization: `Bearer ${MASTER}` },
        body: new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) }),
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
      const fits = await fetch(gw.url + "/bedrock/model/m/converse", { method: "POST", headers: { authorization: `Bearer ${MASTER}` }, body: JSON.stringify(hello) });
      expect(fits.status).toBe(200);
      expect(stack.emulator.requests).toHaveLength(1);
    } finally {
      await gw.stop();
    }
  });

  it("upstream unreachable: 502 AWS-shaped", async () => {
    const gw = await startGateway({ ...emulatorEnv({ url: "http://127.0.0.1:9" }), MASTER_KEY: MASTER });
    try {
      const res = await fetch(gw.url + "/bedrock/model/m/converse", { method: "POST", headers: { authorization: `Bearer ${MASTER}` }, body: "{}" });
      expect(res.status).toBe(502);
      expect(res.headers.get("x-amzn-errortype")).toBeTruthy();
      expect((await res.json()).message).toMatch(/unreachable/);
    } finally {
      await gw.stop();
    }
  });

  it("open mode without MASTER_KEY: loopback only, any bearer accepted, said loudly", async () => {
    const gw = await startGateway(emulatorEnv(stack.emulator));
    try {
      expect(gw.output.join("\n")).toMatch(/OPEN MODE/);
      expect(gw.output.join("\n")).toContain("127.0.0.1");
      const res = await fetch(gw.url + "/bedrock/model/cohere.command-r-v1:0/converse", {
        method: "POST",
        headers: { Authorization: "Bearer anything", "Content-Type": "application/json" },
        body: JSON.stringify(hello),
      });
      expect(res.status).toBe(200);
    } finally {
      await gw.stop();
    }
  });
});
