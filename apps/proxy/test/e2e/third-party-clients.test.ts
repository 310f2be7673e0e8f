import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import { realNode } from "../../../../packages/client/test/real-node.ts";
import { adminApi } from "../support/admin-api.ts";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";
import { removeScratchDirs, scratchDir } from "../support/scratch-dir.ts";

// The AI SDKs people point at Bedrock, unmodified and on their defaults, under Node as a user's app runs them:
// the Vercel AI SDK, Anthropic's Bedrock SDK (its own SigV4 signer, InvokeModel in the Messages format) and Strands
// Agents (an agent loop over ConverseStream on the AWS SDK's default HTTP/2 handler). Each is configured only as its
// own docs say, with a gateway-issued AWS key pair, so the gateway verifies each one's signature.
const MASTER = "sk-master-third-party";
const script = path.resolve(import.meta.dirname, "../../../../packages/third-party-clients/calls.mjs");

interface Row {
  operation: string;
  model: string;
  status: number;
  input_tokens: number | null;
  output_tokens: number | null;
  spend: number | null;
}

describe(`third-party AI SDKs through the gateway (${proxyRuntime})`, () => {
  let stack: Stack;
  let out: Record<string, any>;
  let rows: Row[];
  let issued: { key: string; token: string; aws_access_key_id: string; aws_secret_access_key: string };

  const admin = adminApi(() => stack.gateway.url, MASTER);

  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: "test-only-gateway-secret-key-0123456789abcdef", SPEND_FLUSH_INTERVAL_MS: "50" });
    issued = await admin("/key/generate", { key_alias: "third-party", aws_credentials: true, models: ["amazon.nova-*", "anthropic.*"] });
    expect(issued.aws_access_key_id, JSON.stringify(issued)).toBeTruthy();
    // Asynchronously: the emulator lives in this process and must keep answering while Node runs.
    const run = await promisify(execFile)(realNode(), ["--no-warnings", script], {
      env: {
        PATH: process.env.PATH!,
        HOME: scratchDir("aws-home-third-party-"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: issued.aws_access_key_id,
        AWS_SECRET_ACCESS_KEY: issued.aws_secret_access_key,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: stack.bedrockUrl,
        ANTHROPIC_BEDROCK_BASE_URL: stack.bedrockUrl,
        GATEWAY_BEDROCK_URL: stack.bedrockUrl,
        GATEWAY_KEY: issued.key,
      },
      encoding: "utf8",
      timeout: 90_000,
    });
    out = JSON.parse(run.stdout.trim().split("\n").pop()!);
    // Nine calls: wait until each has its spend row.
    for (let i = 0; i < 200 && rows?.length !== 9; i++) {
      rows = (await admin(`/spend/logs?api_key=${issued.token}&page_size=100`)).data;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    removeScratchDirs();
  });

  const operations = () => rows.map((r) => r.operation).sort();
  const rowFor = (operation: string, usage: { inputTokens: number; outputTokens: number }) =>
    rows.find((r) => r.operation === operation && r.input_tokens === usage.inputTokens && r.output_tokens === usage.outputTokens);

  it("Vercel AI SDK: generateText and streamText signed with the pair, a tool-calling loop, and the key as an API key", () => {
    const reply = expectedUsage({ messages: [{ role: "user", content: [{ text: "any" }] }] }, "Converse").replyText;
    expect(out.vercelGenerate).toMatchObject({ text: reply });
    expect(out.vercelStream.text).toBe(out.vercelGenerate.text);
    expect(out.vercelTools).toMatchObject({ steps: 2, toolCalls: ["weather"] });
    expect(out.vercelApiKey).toMatchObject({ text: reply });
    expect(rowFor("Converse", out.vercelGenerate)).toMatchObject({ model: "amazon.nova-lite-v1:0", status: 200 });
    expect(rowFor("ConverseStream", out.vercelStream)).toMatchObject({ model: "amazon.nova-lite-v1:0", status: 200 });
  });

  it("Anthropic's Bedrock SDK: messages.create and messages.stream, usage as the model reported it", () => {
    expect(out.anthropicCreate.text).toMatch(/\S/);
    expect(out.anthropicStream.text).toBe(out.anthropicCreate.text);
    expect(rowFor("InvokeModel", out.anthropicCreate)).toMatchObject({ model: "anthropic.claude-3-haiku-20240307-v1:0", status: 200 });
    expect(rowFor("InvokeModelWithResponseStream", out.anthropicStream)).toMatchObject({ status: 200 });
  });

  it("Strands Agents: the agent calls its tool, then answers (two ConverseStream turns)", () => {
    expect(out.strandsAgent).toMatchObject({ stopReason: "endTurn", toolCalls: 1 });
    expect(out.strandsAgent.text.length).toBeGreaterThan(0);
  });

  it("every call metered and priced on the key, signed upstream with the gateway's credentials and nothing of the key's", () => {
    expect(operations()).toEqual(["Converse", "Converse", "Converse", "Converse", "ConverseStream", "ConverseStream", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream"]);
    for (const row of rows) expect(row).toMatchObject({ status: 200, spend: expect.any(Number) });
    expect(rows.every((r) => r.spend! > 0 && r.input_tokens! > 0 && r.output_tokens! > 0)).toBe(true);
    const upstream = stack.emulator.requests;
    expect(upstream).toHaveLength(9);
    expect(upstream.every((r) => r.verified)).toBe(true);
    const sent = JSON.stringify(upstream.map((r) => r.headers));
    for (const secret of [issued.key, issued.aws_access_key_id, issued.aws_secret_access_key]) expect(sent).not.toContain(secret);
  });
});
