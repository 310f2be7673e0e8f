import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConverseCommand, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { runtimeClient, startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-secret-check-7f3a9c";
const SECRET_KEY = "gateway-secret-key-for-the-leak-test-0123456789";
let stack: Stack;
const messages = [{ role: "user" as const, content: [{ text: "hello" }] }];

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: SECRET_KEY });
});
afterAll(async () => stack?.stop());

describe(`secrets stay secret (${proxyRuntime})`, () => {
  it("no key, secret, signature or gateway secret appears in the gateway's output, whatever the call did", async () => {
    const minted = await (
      await fetch(stack.gateway.url + "/key/generate", {
        method: "POST",
        headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
        body: JSON.stringify({ key_alias: "leak-check", aws_credentials: true }),
      })
    ).json();
    const secrets = [MASTER, SECRET_KEY, minted.key, minted.aws_secret_access_key];
    expect(secrets.every((s) => typeof s === "string" && s.length > 10)).toBe(true);

    await runtimeClient(stack.bedrockUrl, minted.key).send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages }));
    await runtimeClient(stack.bedrockUrl, MASTER).send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages }));
    const stream = await runtimeClient(stack.bedrockUrl, minted.key).send(new ConverseStreamCommand({ modelId: "amazon.nova-lite-v1:0", messages }));
    for await (const _ of stream.stream!);
    await runtimeClient(stack.bedrockUrl, minted.key + "x").send(new ConverseCommand({ modelId: "m", messages })).catch(() => {});
    const sigv4 = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: stack.bedrockUrl,
      credentials: { accessKeyId: minted.aws_access_key_id, secretAccessKey: minted.aws_secret_access_key },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    await sigv4.send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages }));
    const wrongSecret = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: stack.bedrockUrl,
      credentials: { accessKeyId: minted.aws_access_key_id, secretAccessKey: "wrong-secret-wrong-secret-wrong-secret-00" },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    await wrongSecret.send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages })).catch(() => {});
    await fetch(stack.gateway.url + `/key/info?key=${minted.key}`, { headers: { authorization: `Bearer ${MASTER}` } });

    // Let the batched log lines reach the output.
    await new Promise((r) => setTimeout(r, 300));
    const output = stack.gateway.output.join("\n");
    expect(output).toContain("bedrock request");
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/AWS4-HMAC-SHA256 Credential=/);
    expect(output).not.toMatch(/Signature=[0-9a-f]{64}/);
    // Nor did any of them reach Bedrock.
    for (const request of stack.emulator.requests) for (const secret of secrets) expect(JSON.stringify(request.headers)).not.toContain(secret);
  });
});

describe(`the spec and its page (${proxyRuntime})`, () => {
  it("serves /openapi.json with one path per Bedrock operation, and the /docs page", async () => {
    const spec = await (await fetch(stack.gateway.url + "/openapi.json")).json();
    expect(spec.openapi).toMatch(/^3\.1/);
    const bedrockOperations = Object.entries(spec.paths as Record<string, Record<string, { operationId?: string }>>)
      .filter(([path]) => path.startsWith("/bedrock/"))
      .flatMap(([, item]) => Object.values(item).map((op) => op.operationId))
      .filter(Boolean);
    expect(new Set(bedrockOperations)).toEqual(new Set(bedrockRoutes.map((r) => r.operationId)));
    expect(spec.paths["/key/generate"]).toBeDefined();
    const page = await fetch(stack.gateway.url + "/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    // The page loads the bundled renderer, which reads /openapi.json (rendered in a browser by docs-page.test.ts).
    expect(await page.text()).toContain('<script src="docs/swagger-ui-bundle.js"></script>');
  });
});
