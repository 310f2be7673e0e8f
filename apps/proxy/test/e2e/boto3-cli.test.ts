import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-boto3";
const SECRET_KEY = "test-only-gateway-secret-key-boto3-0123456789";
const script = path.resolve(import.meta.dirname, "../fixtures/aws_client.py");

// Checked once while collecting, before any emulator runs in this process (a synchronous child is harmless then).
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"]).status === 0;
const hasCli = spawnSync("aws", ["--version"]).status === 0;
if (!hasBoto3) console.warn("boto3 tests skipped: `python3 -c 'import boto3'` failed (pip install boto3 to run them)");
if (!hasCli) console.warn("AWS CLI tests skipped: `aws --version` failed (install the AWS CLI to run them)");

let stack: Stack;
let credentials: { accessKeyId: string; secretAccessKey: string };
const run = promisify(execFile);

/**
 * Exactly what an AWS user sets: the standard variables and nothing gateway-specific. HOME is empty so no
 * ~/.aws config or credentials file can add anything.
 */
const homes: string[] = [];
function awsEnv(pair = credentials): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), "aws-home-"));
  homes.push(home);
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_ACCESS_KEY_ID: pair.accessKeyId,
    AWS_SECRET_ACCESS_KEY: pair.secretAccessKey,
    // botocore (boto3, AWS CLI v1) reads AWS_DEFAULT_REGION; the JS SDK and CLI v2 read AWS_REGION.
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: stack.bedrockUrl,
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: stack.bedrockUrl,
  };
}

/** Asynchronously: the emulator lives in this process and must keep answering while the child runs. */
async function python(mode: "calls" | "refused", pair = credentials) {
  const { stdout } = await run("python3", [script, mode], { env: awsEnv(pair), encoding: "utf8", timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

async function aws(args: string[], pair = credentials): Promise<{ code: number; stdout: string; stderr: string }> {
  return run("aws", [...args, "--output", "json"], { env: awsEnv(pair), encoding: "utf8", timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error) => ({ code: error.code ?? 1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
  );
}

beforeAll(async () => {
  if (!hasBoto3 && !hasCli) return;
  stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: SECRET_KEY });
  const res = await fetch(stack.gateway.url + "/key/generate", {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
    body: JSON.stringify({ aws_credentials: true, key_alias: "python" }),
  });
  const body = await res.json();
  credentials = { accessKeyId: body.aws_access_key_id, secretAccessKey: body.aws_secret_access_key };
});
afterAll(async () => {
  await stack?.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});
beforeEach(() => stack?.emulator.reset());

describe.skipIf(!hasBoto3)(`unmodified boto3 with gateway credentials (${proxyRuntime})`, () => {
  it("converse, converse_stream, retrieve and invoke_agent: endpoint and key pair from the environment only", async () => {
    const out = await python("calls");
    expect(out.endpoints).toEqual([stack.bedrockUrl, stack.bedrockUrl]);
    const messages = [{ role: "user", content: [{ text: "boto3 says hello" }] }];
    expect(out.converse.inputTokens).toBe(expectedUsage({ messages }, "Converse").inputTokens);
    expect(out.streamText.trim()).toBe(expectedUsage({ messages }, "ConverseStream").replyText);
    expect(out.retrieved).toBeGreaterThan(0);
    expect(out.completion.length).toBeGreaterThan(0);
    expect(stack.emulator.requests.map((r) => [r.operation, r.verified])).toEqual([
      ["Converse", true],
      ["ConverseStream", true],
      ["Retrieve", true],
      ["InvokeAgent", true],
    ]);
    // The colon in the model id arrives percent-encoded and is forwarded (and signed upstream) as received.
    expect(stack.emulator.requests[0].rawPath).toBe("/model/cohere.command-r-v1%3A0/converse");
  });

  it("a wrong secret is refused with InvalidSignatureException and reaches nothing", async () => {
    const out = await python("refused", { ...credentials, secretAccessKey: credentials.secretAccessKey.slice(0, -1) + "x" });
    expect(out).toMatchObject({ error: "InvalidSignatureException", status: 403 });
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("an AWS access key id (not the gateway's) is refused with 401 and reaches nothing", async () => {
    const out = await python("refused", { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" });
    expect(out).toMatchObject({ error: "UnrecognizedClientException", status: 401 });
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe.skipIf(!hasCli)(`the AWS CLI with gateway credentials (${proxyRuntime})`, () => {
  it("aws bedrock-runtime converse", async () => {
    const messages = [{ role: "user", content: [{ text: "the CLI says hello" }] }];
    const result = await aws(["bedrock-runtime", "converse", "--model-id", "amazon.nova-lite-v1:0", "--messages", JSON.stringify(messages)]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).usage.inputTokens).toBe(expectedUsage({ messages }, "Converse").inputTokens);
    expect(stack.emulator.requests).toMatchObject([{ operation: "Converse", verified: true }]);
  });

  it("aws bedrock-agent-runtime retrieve", async () => {
    const result = await aws(["bedrock-agent-runtime", "retrieve", "--knowledge-base-id", "KBCLI", "--retrieval-query", JSON.stringify({ text: "q" })]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).retrievalResults.length).toBeGreaterThan(0);
    expect(stack.emulator.requests).toMatchObject([{ operation: "Retrieve", verified: true }]);
  });

  it("a wrong secret: the CLI reports InvalidSignatureException and nothing reaches Bedrock", async () => {
    const result = await aws(["bedrock-runtime", "converse", "--model-id", "amazon.nova-lite-v1:0", "--messages", '[{"role":"user","content":[{"text":"x"}]}]'], {
      ...credentials,
      secretAccessKey: "y".repeat(40),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/InvalidSignatureException/);
    expect(stack.emulator.requests).toHaveLength(0);
  });
});
