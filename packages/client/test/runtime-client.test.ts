import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createProxiedBedrockClient, BEDROCK_REGION_HEADER } from "../src/index.ts";
import { startRecordingServer, type RecordingServer } from "./recording-server.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
const converse = (modelId = "amazon.nova-lite-v1:0") =>
  new ConverseCommand({ modelId, messages: [{ role: "user", content: [{ text: "hi" }] }] });

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

describe("createProxiedBedrockClient with a gateway key", () => {
  it("returns a real BedrockRuntimeClient", () => {
    expect(createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock` })).toBeInstanceOf(BedrockRuntimeClient);
  });

  it("sends Authorization: Bearer <key> and no SigV4 at all", async () => {
    const client = createProxiedBedrockClient("sk-test-123", { baseUrl: `${server.origin}/bedrock` });
    const out = await client.send(converse());
    expect(out.output?.message?.content?.[0]?.text).toBe("hello from the fake gateway");
    const [req] = server.requests;
    expect(req.headers.authorization).toBe("Bearer sk-test-123");
    expect(req.headers["x-amz-date"]).toBeUndefined();
    expect(req.headers["x-amz-content-sha256"]).toBeUndefined();
    expect(req.headers["x-amz-security-token"]).toBeUndefined();
    expect(JSON.parse(req.body).messages[0].content[0].text).toBe("hi");
  });

  it("keeps percent-encoding of model ids: `:` as %3A and the ARN's `/` as %2F inside one segment", async () => {
    const client = createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock` });
    await client.send(converse("cohere.command-r-v1:0"));
    await client.send(converse(ARN));
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /bedrock/model/cohere.command-r-v1%3A0/converse",
      "POST /bedrock/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse",
    ]);
  });

  it("trims trailing slashes from baseUrl (no `//model/...`)", async () => {
    const client = createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock///` });
    await client.send(converse("m"));
    expect(server.requests[0].url).toBe("/bedrock/model/m/converse");
  });

  it("falls back to BEDROCK_PROXY_URL when no baseUrl is given", async () => {
    const saved = process.env.BEDROCK_PROXY_URL;
    process.env.BEDROCK_PROXY_URL = `${server.origin}/bedrock/`;
    try {
      await createProxiedBedrockClient("sk-x").send(converse("m"));
    } finally {
      if (saved === undefined) delete process.env.BEDROCK_PROXY_URL;
      else process.env.BEDROCK_PROXY_URL = saved;
    }
    expect(server.requests[0].url).toBe("/bedrock/model/m/converse");
  });

  it("defaults to http://localhost:4000/bedrock", async () => {
    const saved = process.env.BEDROCK_PROXY_URL;
    delete process.env.BEDROCK_PROXY_URL;
    try {
      const client = createProxiedBedrockClient("sk-x");
      const endpoint = await client.config.endpoint!();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}${endpoint.path}`).toBe("http://localhost:4000/bedrock");
    } finally {
      if (saved !== undefined) process.env.BEDROCK_PROXY_URL = saved;
    }
  });

  it("sends x-bedrock-region only when bedrockRegion is set", async () => {
    await createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock`, bedrockRegion: "eu-central-1" }).send(converse("m"));
    await createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock` }).send(converse("m"));
    expect(server.requests[0].headers[BEDROCK_REGION_HEADER]).toBe("eu-central-1");
    expect(server.requests[1].headers[BEDROCK_REGION_HEADER]).toBeUndefined();
  });

  it("uses region us-east-1 unless told otherwise, and accepts any region", async () => {
    expect(await createProxiedBedrockClient("sk-x").config.region()).toBe("us-east-1");
    expect(await createProxiedBedrockClient("sk-x", { region: "ap-south-1" }).config.region()).toBe("ap-south-1");
  });

  it("uses HTTP/1.1 NodeHttpHandler by default and a caller's requestHandler when given", async () => {
    expect(createProxiedBedrockClient("sk-x").config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    const mine = new NodeHttpHandler({ connectionTimeout: 1234 });
    expect(createProxiedBedrockClient("sk-x", { requestHandler: mine }).config.requestHandler).toBe(mine);
  });

  it("passes other SDK options through", async () => {
    const client = createProxiedBedrockClient("sk-x", { maxAttempts: 7, customUserAgent: "my-app/1.0" });
    expect(await client.config.maxAttempts()).toBe(7);
    expect(JSON.stringify(client.config.customUserAgent)).toContain("my-app/1.0");
  });

  it("relays InvokeModel's model-native body untouched", async () => {
    server.reply = () => ({ body: { completion: "ok" } });
    try {
      const client = createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock` });
      const out = await client.send(
        new InvokeModelCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", body: JSON.stringify({ prompt: "x" }), contentType: "application/json" }),
      );
      expect(JSON.parse(new TextDecoder().decode(out.body))).toEqual({ completion: "ok" });
      expect(server.requests[0].url).toBe("/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke");
      expect(server.requests[0].body).toBe('{"prompt":"x"}');
    } finally {
      server.reply = () => ({ body: {} });
    }
  });

  it("rejects an empty key and an invalid baseUrl up front", () => {
    expect(() => createProxiedBedrockClient("")).toThrow(/empty/);
    expect(() => createProxiedBedrockClient("sk-x", { baseUrl: "not a url" })).toThrow(/baseUrl is not a URL/);
  });
});

describe("createProxiedBedrockClient with gateway-issued AWS credentials", () => {
  it("signs with SigV4 (service bedrock) using exactly those credentials", async () => {
    const client = createProxiedBedrockClient(
      { accessKeyId: "AKIAGATEWAYISSUED01", secretAccessKey: "secret" },
      { baseUrl: `${server.origin}/bedrock`, bedrockRegion: "eu-west-1" },
    );
    await client.send(converse("m"));
    const { headers } = server.requests[0];
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAGATEWAYISSUED01\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[^,]*x-bedrock-region/,
    );
    expect(headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
  });
});
