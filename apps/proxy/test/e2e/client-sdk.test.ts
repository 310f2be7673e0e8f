import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConverseCommand, ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { InvokeAgentCommand, RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { createProxiedBedrockAgentClient, createProxiedBedrockClient } from "@bedrock-gateway/client";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import { realNode } from "../../../../packages/client/test/real-node.ts";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const homes: string[] = [];
/** An empty HOME for a child process, removed when the file is done. */
function tempHome(prefix: string): string {
  const home = mkdtempSync(path.join(tmpdir(), prefix));
  homes.push(home);
  return home;
}
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

const MASTER = "sk-master-client";
let stack: Stack;
const messages = [{ role: "user" as const, content: [{ text: "typed client hello" }] }];

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

describe(`@bedrock-gateway/client against the real gateway (${proxyRuntime})`, () => {
  it("Converse with an ARN model id reaches the emulator intact", async () => {
    const client = createProxiedBedrockClient(MASTER, { baseUrl: stack.bedrockUrl + "/" });
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/xyz";
    const out = await client.send(new ConverseCommand({ modelId: arn, messages }));
    expect(out.usage?.inputTokens).toBe(expectedUsage({ messages }, "Converse").inputTokens);
    expect(stack.emulator.requests[0]).toMatchObject({ rawPath: `/model/${encodeURIComponent(arn)}/converse`, verified: true });
  });

  it("streams: ConverseStream and InvokeModelWithResponseStream", async () => {
    const client = createProxiedBedrockClient(MASTER, { baseUrl: stack.bedrockUrl });
    let text = "";
    for await (const e of (await client.send(new ConverseStreamCommand({ modelId: "amazon.nova-lite-v1:0", messages }))).stream!) text += e.contentBlockDelta?.delta?.text ?? "";
    expect(text.trim()).toBe(expectedUsage({ messages }, "ConverseStream").replyText);
    const body = JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    let chunks = 0;
    for await (const e of (await client.send(new InvokeModelWithResponseStreamCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", body }))).body!) if (e.chunk) chunks++;
    expect(chunks).toBeGreaterThan(1);
  });

  it("knowledge base retrieve and invoke agent through the agent client (bearer, no SigV4)", async () => {
    const agents = createProxiedBedrockAgentClient(MASTER, { baseUrl: stack.bedrockUrl });
    const kb = await agents.send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } }));
    expect(kb.retrievalResults?.length).toBeGreaterThan(0);
    const agent = await agents.send(new InvokeAgentCommand({ agentId: "A", agentAliasId: "B", sessionId: "s-1", inputText: "hello agent" }));
    let completion = "";
    for await (const e of agent.completion!) if (e.chunk?.bytes) completion += new TextDecoder().decode(e.chunk.bytes);
    expect(completion.length).toBeGreaterThan(0);
    expect(stack.emulator.requests.every((r) => r.verified)).toBe(true);
  });

  it("typed errors: a wrong key and throttling", async () => {
    const wrong = createProxiedBedrockClient("sk-not-a-key", { baseUrl: stack.bedrockUrl, maxAttempts: 1 });
    const denied = await wrong.send(new ConverseCommand({ modelId: "m", messages })).catch((e) => e);
    expect(denied.name).toBe("UnrecognizedClientException");
    expect(denied.message).toMatch(/key/);
    const client = createProxiedBedrockClient(MASTER, { baseUrl: stack.bedrockUrl, maxAttempts: 1 });
    const throttled = await client.send(new ConverseCommand({ modelId: "amazon.nova-throttle-v1:0", messages })).catch((e) => e);
    expect(throttled.name).toBe("ThrottlingException");
  });

  it("the published build works under Node 20 with an empty environment", async () => {
    const home = tempHome("client-home-");
    const script = path.resolve(import.meta.dirname, "../fixtures/client-node.mjs");
    // Asynchronously: the emulator lives in this process and must keep answering while Node runs.
    const run = await promisify(execFile)(realNode(), [script], {
      env: { PATH: process.env.PATH, HOME: home, BEDROCK_PROXY_URL: stack.bedrockUrl, GATEWAY_KEY: MASTER },
      encoding: "utf8",
      timeout: 30_000,
    });
    const out = JSON.parse(run.stdout.trim().split("\n").pop()!);
    expect(out.node).toMatch(/^v\d+/);
    expect(out.awsEnv).toEqual([]);
    expect(out.converse.inputTokens).toBe(expectedUsage({ messages: [{ role: "user", content: [{ text: "node says hello" }] }] }, "Converse").inputTokens);
    expect(out.streamDeltas).toBeGreaterThan(0);
    expect(out.invokeChunks).toBeGreaterThan(1);
    expect(out.retrieved).toBeGreaterThan(0);
    expect(out.agentCompletion).toBe(true);
    expect(out.wrongKeyError).toBe("UnrecognizedClientException");
  });

  it("works under Deno (the client's built dist/ from node_modules)", async () => {
    const deno = path.resolve(import.meta.dirname, "../../../../node_modules/.bin/deno");
    const script = path.resolve(import.meta.dirname, "../fixtures/client-deno.ts");
    const home = tempHome("client-deno-home-");
    // Asynchronously: the emulator lives in this process and must keep answering while Deno runs.
    const run = await promisify(execFile)(deno, ["run", "-A", script], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { PATH: process.env.PATH, HOME: home, DENO_DIR: path.join(home, ".deno"), BEDROCK_PROXY_URL: stack.bedrockUrl, GATEWAY_KEY: MASTER },
      encoding: "utf8",
      timeout: 60_000,
    });
    const out = JSON.parse(run.stdout.trim().split("\n").pop()!);
    expect(out.deno).toMatch(/^\d+\./);
    expect(out.usage.inputTokens).toBe(expectedUsage({ messages: [{ role: "user", content: [{ text: "deno says hello" }] }] }, "Converse").inputTokens);
    expect(out.deltas).toBeGreaterThan(0);
    expect(out.retrieved).toBeGreaterThan(0);
    expect(out.wrongKeyError).toBe("UnrecognizedClientException");
  });
});
