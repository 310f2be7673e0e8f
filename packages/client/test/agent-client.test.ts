import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BedrockAgentRuntimeClient,
  CreateSessionCommand,
  EndSessionCommand,
  GetAgentMemoryCommand,
  ListTagsForResourceCommand,
  RetrieveCommand,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { createProxiedBedrockAgentClient } from "../src/index.ts";
import { startRecordingServer, type RecordingServer } from "./recording-server.ts";

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const session = { sessionId: "s1", sessionArn: "arn:aws:bedrock:us-east-1:1:session/s1", sessionStatus: "ACTIVE", createdAt: "2025-01-01T00:00:00Z" };

describe("createProxiedBedrockAgentClient", () => {
  it("returns a real BedrockAgentRuntimeClient", () => {
    expect(createProxiedBedrockAgentClient("sk-x")).toBeInstanceOf(BedrockAgentRuntimeClient);
  });

  it("authenticates with the bearer key although the service has no bearer scheme of its own", async () => {
    server.reply = () => ({ body: { retrievalResults: [] } });
    const client = createProxiedBedrockAgentClient("sk-agent", { baseUrl: `${server.origin}/bedrock/` });
    await client.send(new RetrieveCommand({ knowledgeBaseId: "KB12345678", retrievalQuery: { text: "q" } }));
    const [req] = server.requests;
    expect(`${req.method} ${req.url}`).toBe("POST /bedrock/knowledgebases/KB12345678/retrieve");
    expect(req.headers.authorization).toBe("Bearer sk-agent");
    expect(req.headers["x-amz-date"]).toBeUndefined();
  });

  it("sends the SDK's exact methods and paths, trailing slashes and encoded ARNs included", async () => {
    server.reply = (req) => ({ status: req.method === "PUT" ? 201 : 200, body: req.url.startsWith("/bedrock/tags") ? { tags: {} } : req.url.includes("memories") ? {} : session });
    const client = createProxiedBedrockAgentClient("sk-agent", { baseUrl: `${server.origin}/bedrock` });
    await client.send(new CreateSessionCommand({}));
    await client.send(new EndSessionCommand({ sessionIdentifier: "s1" }));
    await client.send(new GetAgentMemoryCommand({ agentId: "A1", agentAliasId: "AL1", memoryId: "m1", memoryType: "SESSION_SUMMARY" }));
    await client.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:bedrock:us-east-1:1:session/s1" }));
    expect(server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual([
      "PUT /bedrock/sessions/",
      "PATCH /bedrock/sessions/s1",
      "GET /bedrock/agents/A1/agentAliases/AL1/memories",
      "GET /bedrock/tags/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Asession%2Fs1",
    ]);
    const memoryQuery = new URLSearchParams(server.requests[2].url.split("?")[1]);
    expect(Object.fromEntries(memoryQuery)).toEqual({ memoryType: "SESSION_SUMMARY", memoryId: "m1" });
  });
});
