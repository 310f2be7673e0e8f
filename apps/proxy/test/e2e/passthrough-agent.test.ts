import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DeleteAgentMemoryCommand,
  GetAgentMemoryCommand,
  InvokeAgentCommand,
  RetrieveAndGenerateCommand,
  RetrieveCommand,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { agentClient, startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-agents";
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

describe(`bedrock-agent-runtime through the proxy (${proxyRuntime})`, () => {
  it("Retrieve from a knowledge base (SigV4 with placeholder credentials plus the key header)", async () => {
    const client = agentClient(stack.bedrockUrl, MASTER);
    const out = await client.send(new RetrieveCommand({ knowledgeBaseId: "KB12345678", retrievalQuery: { text: "what is bedrock" } }));
    expect(out.retrievalResults?.length).toBeGreaterThan(0);
    const [seen] = stack.emulator.requests;
    expect(seen.service).toBe("bedrock-agent-runtime");
    expect(seen.rawPath).toBe("/knowledgebases/KB12345678/retrieve");
    expect(seen.verified).toBe(true);
  });

  it("RetrieveAndGenerate (no trailing path segment) goes to agent runtime", async () => {
    const client = agentClient(stack.bedrockUrl, MASTER, "litellm_user_api_key");
    const out = await client.send(
      new RetrieveAndGenerateCommand({
        input: { text: "summarise" },
        retrieveAndGenerateConfiguration: {
          type: "KNOWLEDGE_BASE",
          knowledgeBaseConfiguration: { knowledgeBaseId: "KB12345678", modelArn: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0" },
        },
      }),
    );
    expect(out.output?.text).toBeTruthy();
    expect(stack.emulator.requests[0].operation).toBe("RetrieveAndGenerate");
  });

  it("InvokeAgent streams chunks, keeps x-amz-source-arn, returns the session id header", async () => {
    const client = agentClient(stack.bedrockUrl, `Bearer ${MASTER}`, "litellm_user_api_key");
    const out = await client.send(
      new InvokeAgentCommand({
        agentId: "L1RT58GYRW",
        agentAliasId: "MFPSBCXYTW",
        sessionId: "12345",
        inputText: "Who do you know?",
        sourceArn: "arn:aws:bedrock:us-east-1:123456789012:agent/L1RT58GYRW",
      }),
    );
    expect(out.sessionId).toBe("12345");
    let completion = "";
    for await (const event of out.completion!) {
      if (event.chunk?.bytes) completion += new TextDecoder().decode(event.chunk.bytes);
    }
    expect(completion.length).toBeGreaterThan(0);
    const [seen] = stack.emulator.requests;
    expect(seen.verified).toBe(true);
    expect(seen.headers["x-amz-source-arn"]).toBe("arn:aws:bedrock:us-east-1:123456789012:agent/L1RT58GYRW");
  });

  it("GET and DELETE agent-runtime calls are signed with their own method", async () => {
    const client = agentClient(stack.bedrockUrl, MASTER);
    await client.send(new GetAgentMemoryCommand({ agentId: "A1", agentAliasId: "AL1", memoryId: "m-1", memoryType: "SESSION_SUMMARY" }));
    await client.send(new DeleteAgentMemoryCommand({ agentId: "A1", agentAliasId: "AL1", memoryId: "m-1" }));
    const [get, del] = stack.emulator.requests;
    expect([get.method, get.verified, get.query]).toEqual(["GET", true, expect.stringContaining("memoryId=m-1")]);
    expect([del.method, del.verified]).toEqual(["DELETE", true]);
  });
});
