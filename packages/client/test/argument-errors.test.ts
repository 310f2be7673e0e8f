import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import {
  createGatewayAdminClient,
  createProxiedBedrockAgentClient,
  createProxiedBedrockClient,
  GatewayAddressError,
  GatewayUnreachableError,
} from "../src/index.ts";
import { startRecordingServer, type RecordingServer } from "./recording-server.ts";

const converse = new ConverseCommand({ modelId: "m", messages: [{ role: "user", content: [{ text: "hi" }] }] });

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());

// What `process.env.GATEWAY_KEY!` really is when the variable is unset.
const unset = undefined as unknown as string;

describe("a missing or malformed key fails at construction, naming the argument", () => {
  it.each([
    ["createProxiedBedrockClient", () => createProxiedBedrockClient(unset)],
    ["createProxiedBedrockAgentClient", () => createProxiedBedrockAgentClient(unset)],
  ])("%s(undefined)", (name, make) => {
    expect(make).toThrow(new TypeError(
      `${name}: the first argument (the key) is undefined (is the environment variable you read it from, e.g. GATEWAY_KEY, set?); ` +
        'expected a gateway key ("sk-...") or the { accessKeyId, secretAccessKey } pair the gateway issued.',
    ));
  });

  it("null, an empty string, a number and a half pair each say what is wrong", () => {
    expect(() => createProxiedBedrockClient(null as unknown as string)).toThrow(/the first argument \(the key\) is null/);
    expect(() => createProxiedBedrockClient("  ")).toThrow(/is an empty string/);
    expect(() => createProxiedBedrockClient(42 as unknown as string)).toThrow(/is a number/);
    expect(() => createProxiedBedrockClient({ accessKeyId: "BGWA1", secretAccessKey: unset })).toThrow(/has no secretAccessKey;/);
    expect(() => createProxiedBedrockClient({} as never)).toThrow(/has no accessKeyId and no secretAccessKey/);
    expect(() => createGatewayAdminClient(unset)).toThrow(/createGatewayAdminClient: the first argument .* is undefined .*MASTER_KEY/);
  });
});

describe("baseUrl with or without /bedrock names the same gateway", () => {
  it.each(["", "/", "/bedrock", "/bedrock/"])("origin + %j", async (suffix) => {
    server.requests.length = 0;
    await createProxiedBedrockClient("sk-x", { baseUrl: server.origin + suffix }).send(converse);
    await createProxiedBedrockAgentClient("sk-x", { baseUrl: server.origin + suffix })
      .send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } }))
      .catch(() => undefined);
    expect(server.requests.map((r) => r.url)).toEqual(["/bedrock/model/m/converse", "/bedrock/knowledgebases/KB1/retrieve"]);
  });

  it("a gateway mounted under a path keeps it", async () => {
    server.requests.length = 0;
    await createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/gw` }).send(converse).catch(() => undefined);
    expect(server.requests[0].url).toBe("/gw/bedrock/model/m/converse");
  });

  it("the admin client takes either form too", async () => {
    const seen: string[] = [];
    const fetch = async (request: Request) => (seen.push(request.url), Response.json({ status: "ok" }));
    for (const baseUrl of ["http://gw.test", "http://gw.test/bedrock", "http://gw.test/bedrock/"]) {
      await createGatewayAdminClient("sk-m", { baseUrl, fetch }).GET("/health/readiness");
    }
    expect(seen).toEqual(Array(3).fill("http://gw.test/health/readiness"));
  });

  it("a value that is not an http(s) URL is refused up front", () => {
    expect(() => createProxiedBedrockClient("sk-x", { baseUrl: "localhost:4000" })).toThrow(/baseUrl must be an http:\/\/ or https:\/\/ URL/);
    expect(() => createProxiedBedrockClient("sk-x", { baseUrl: "gateway" })).toThrow(/baseUrl is not a URL: "gateway"/);
  });
});

describe("a gateway that is not there, or something else answering", () => {
  let closedUrl: string;
  beforeAll(async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });

  it("Bedrock clients throw GatewayUnreachableError naming the URL and what to check", async () => {
    const error = await createProxiedBedrockClient("sk-x", { baseUrl: closedUrl, maxAttempts: 1 }).send(converse).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayUnreachableError);
    expect((error as Error).message).toBe(
      `Bedrock Gateway: cannot reach the gateway at ${closedUrl}/bedrock (ECONNREFUSED). Is it running there? ` +
        "Pass its address as baseUrl or set BEDROCK_PROXY_URL.",
    );
    const agentError = await createProxiedBedrockAgentClient("sk-x", { baseUrl: closedUrl, maxAttempts: 1 })
      .send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } }))
      .catch((e: unknown) => e);
    expect(agentError).toBeInstanceOf(GatewayUnreachableError);
  });

  it("the admin client too", async () => {
    const error = await createGatewayAdminClient("sk-m", { baseUrl: closedUrl }).GET("/health/readiness").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^Bedrock Gateway: cannot reach the gateway at ${closedUrl} \\(`));
  });

  it("a server that is not the gateway (404 without an AWS error type) gets GatewayAddressError", async () => {
    server.reply = () => ({ status: 404, headers: { "content-type": "text/html" }, body: "<h1>Not Found</h1>" });
    const error = await createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/api`, maxAttempts: 1 }).send(converse).catch((e: unknown) => e);
    server.reply = () => ({ body: {} });
    expect(error).toBeInstanceOf(GatewayAddressError);
    expect((error as Error).message).toBe(
      `Bedrock Gateway: ${server.origin}/api/bedrock answered 404 without an AWS error type, so it does not look like the gateway. ` +
        "Set baseUrl or BEDROCK_PROXY_URL to the gateway's root URL, e.g. https://gateway.example.com (with or without /bedrock).",
    );
  });

  it("the gateway's own 404 (UnknownOperationException, typed) is left alone", async () => {
    server.reply = () => ({ status: 404, headers: { "x-amzn-errortype": "UnknownOperationException" }, body: { message: "no such operation" } });
    const error = await createProxiedBedrockClient("sk-x", { baseUrl: server.origin, maxAttempts: 1 }).send(converse).catch((e: unknown) => e);
    server.reply = () => ({ body: {} });
    expect((error as Error).name).toBe("UnknownOperationException");
  });

  it("HTTP errors are not mistaken for it", async () => {
    server.reply = () => ({ status: 500, headers: { "x-amzn-errortype": "InternalServerException" }, body: { message: "boom" } });
    const error = await createProxiedBedrockClient("sk-x", { baseUrl: server.origin, maxAttempts: 1 }).send(converse).catch((e: unknown) => e);
    server.reply = () => ({ body: {} });
    expect((error as Error).name).toBe("InternalServerException");
  });
});
