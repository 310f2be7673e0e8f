import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile, spawnSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

/**
 * The examples of the page the product was specified from (LiteLLM's Bedrock passthrough docs), as written there:
 * only the base URL and the key differ.
 */
const MASTER = "sk-1234";
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"]).status === 0;
if (!hasBoto3) console.warn("boto3 docs example skipped: `python3 -c 'import boto3'` failed (pip install boto3 to run it)");

let stack: Stack;
let virtualKey: string;

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
  const res = await fetch(stack.gateway.url + "/key/generate", { method: "POST", headers: { Authorization: `Bearer ${MASTER}`, "Content-Type": "application/json" }, body: "{}" });
  virtualKey = (await res.json()).key;
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

const post = (path: string, key: string, body: string) =>
  fetch(stack.bedrockUrl + path, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body });

describe(`the reference page's examples (${proxyRuntime})`, () => {
  it("example 1, Converse: curl with a model id containing ':' and a virtual key", async () => {
    const res = await post("/model/cohere.command-r-v1:0/converse", virtualKey, '{\n"messages": [\n{"role": "user",\n"content": [{"text": "Hello"}]\n}\n]\n}');
    expect(res.status).toBe(200);
    expect((await res.json()).output.message.role).toBe("assistant");
    expect(stack.emulator.requests[0]).toMatchObject({ rawPath: "/model/cohere.command-r-v1:0/converse", verified: true });
  });

  it("example 2, ApplyGuardrail: as written (`contents`) Bedrock refuses it, and the gateway relays that; with `content` it passes", async () => {
    const asWritten = await post("/guardrail/guardrailIdentifier/version/guardrailVersion/apply", virtualKey, '{\n"contents": [{"text": {"text": "Hello world"}}],\n"source": "INPUT"\n}');
    expect([asWritten.status, asWritten.headers.get("x-amzn-errortype"), (await asWritten.json()).message]).toEqual([
      400,
      "ValidationException",
      "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null",
    ]);
    const corrected = await post("/guardrail/guardrailIdentifier/version/guardrailVersion/apply", virtualKey, '{\n"content": [{"text": {"text": "Hello world"}}],\n"source": "INPUT"\n}');
    expect(corrected.status).toBe(200);
    expect((await corrected.json()).usage).toBeDefined();
    expect(stack.emulator.requests.map((r) => [r.service, r.verified])).toEqual([["bedrock-runtime", true], ["bedrock-runtime", true]]);
  });

  it("example 3, knowledge base Retrieve (with the placeholders filled in)", async () => {
    const body = JSON.stringify({
      nextToken: "string",
      retrievalConfiguration: { vectorSearchConfiguration: { filter: { equals: { key: "lang", value: "en" } }, numberOfResults: 3, overrideSearchType: "HYBRID" } },
      retrievalQuery: { text: "string" },
    });
    const res = await post("/knowledgebases/KB12345678/retrieve", virtualKey, body);
    expect(res.status).toBe(200);
    expect(stack.emulator.requests[0]).toMatchObject({ service: "bedrock-agent-runtime", rawPath: "/knowledgebases/KB12345678/retrieve", verified: true });
  });

  it.skipIf(!hasBoto3)("Bedrock Agents with boto3: fake AWS keys and the litellm_user_api_key header from a before-send hook", async () => {
    const script = path.resolve(import.meta.dirname, "../fixtures/litellm_docs_agent.py");
    // Asynchronously: the emulator lives in this process and must keep answering while Python runs.
    const { stdout } = await promisify(execFile)("python3", [script, stack.bedrockUrl, MASTER], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
      encoding: "utf8",
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(out.completion.length).toBeGreaterThan(0);
    expect(out.sessionId).toBe("12345");
    const [seen] = stack.emulator.requests;
    expect(seen).toMatchObject({ operation: "InvokeAgent", verified: true });
    // The fake SigV4 and the gateway key stayed at the gateway.
    expect(JSON.stringify(seen.headers)).not.toContain("my-fake-key-id");
    expect(JSON.stringify(seen.headers)).not.toContain(MASTER);
  });
});
