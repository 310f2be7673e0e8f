import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessDeniedException, ConverseCommand, ThrottlingException } from "@aws-sdk/client-bedrock-runtime";
import { ValidationException as AgentValidationException, RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { createProxiedBedrockAgentClient, createProxiedBedrockClient } from "../src/index.ts";
import { startRecordingServer, type RecordingServer } from "./recording-server.ts";

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());

const converse = new ConverseCommand({ modelId: "m", messages: [{ role: "user", content: [{ text: "hi" }] }] });

// The gateway's errors must surface as the SDK's own exception classes, chosen by x-amzn-errortype.
describe("typed errors from the gateway", () => {
  it("403 AccessDeniedException with {message} -> AccessDeniedException('nope')", async () => {
    server.requests.length = 0;
    server.reply = () => ({ status: 403, headers: { "x-amzn-errortype": "AccessDeniedException" }, body: { message: "nope" } });
    const client = createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock` });
    const error = await client.send(converse).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as AccessDeniedException).name).toBe("AccessDeniedException");
    expect((error as AccessDeniedException).message).toBe("nope");
    expect((error as AccessDeniedException).$metadata.httpStatusCode).toBe(403);
  });

  it("429 ThrottlingException is typed, and maxAttempts: 1 means exactly one request", async () => {
    server.requests.length = 0;
    server.reply = () => ({ status: 429, headers: { "x-amzn-errortype": "ThrottlingException", "retry-after": "1" }, body: { message: "slow down" } });
    const client = createProxiedBedrockClient("sk-x", { baseUrl: `${server.origin}/bedrock`, maxAttempts: 1 });
    const error = await client.send(converse).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).message).toBe("slow down");
    expect(server.requests).toHaveLength(1);
  });

  it("agent-runtime errors are typed the same way", async () => {
    server.reply = () => ({ status: 400, headers: { "x-amzn-errortype": "ValidationException" }, body: { message: "bad kb" } });
    const client = createProxiedBedrockAgentClient("sk-x", { baseUrl: `${server.origin}/bedrock`, maxAttempts: 1 });
    const error = await client.send(new RetrieveCommand({ knowledgeBaseId: "KB", retrievalQuery: { text: "q" } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentValidationException);
    expect((error as Error).message).toBe("bad kb");
  });
});
