import {
  CreateSessionCommand,
  DeleteAgentMemoryCommand,
  DeleteSessionCommand,
  EndSessionCommand,
  GenerateQueryCommand,
  GetAgentMemoryCommand,
  GetSessionCommand,
  InvokeAgentCommand,
  InvokeFlowCommand,
  ListSessionsCommand,
  ListTagsForResourceCommand,
  OptimizePromptCommand,
  RerankCommand,
  RetrieveAndGenerateCommand,
  RetrieveAndGenerateStreamCommand,
  RetrieveCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSessionCommand,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedUsage, startEmulator, type RunningEmulator } from "../src/index.ts";
import { agentClient } from "./helpers.ts";

let emu: RunningEmulator;
let client: ReturnType<typeof agentClient>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = agentClient(emu.url);
});
afterAll(() => emu.close());

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("knowledge bases", () => {
  test("Retrieve", async () => {
    const out = await client.send(new RetrieveCommand({ knowledgeBaseId: "KB12345678", retrievalQuery: { text: "what is this" } }));
    expect(out.retrievalResults?.length).toBe(3);
    expect(out.retrievalResults?.[0]).toMatchObject({ location: { type: "S3" }, content: { text: expect.any(String) } });
    expect(emu.requests.at(-1)).toMatchObject({ operation: "Retrieve", service: "bedrock-agent-runtime", verified: true });
  });

  test("RetrieveAndGenerate", async () => {
    const out = await client.send(
      new RetrieveAndGenerateCommand({
        input: { text: "what is this" },
        retrieveAndGenerateConfiguration: { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseId: "KB1", modelArn: "m" } },
      }),
    );
    expect(out.output?.text).toBe("Hello from the Bedrock emulator.");
    expect(out.citations?.[0]?.retrievedReferences?.length).toBe(1);
    expect(out.sessionId).toBeTruthy();
  });

  test("RetrieveAndGenerateStream", async () => {
    const out = await client.send(
      new RetrieveAndGenerateStreamCommand({
        input: { text: "q" },
        sessionId: "sess-1",
        retrieveAndGenerateConfiguration: { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseId: "KB1", modelArn: "m" } },
      }),
    );
    expect(out.sessionId).toBe("sess-1");
    let answer = "";
    let citations = 0;
    for await (const ev of out.stream!) {
      if (ev.output) answer += ev.output.text;
      if (ev.citation) citations++;
    }
    expect(answer).toBe("Hello from the Bedrock emulator.");
    expect(citations).toBe(1);
  });
});

describe("agents", () => {
  test("InvokeAgent streams chunks, traces carry usage, headers are set", async () => {
    const input = {
      agentId: "AGENT12345",
      agentAliasId: "TSTALIASID",
      sessionId: "session-42",
      inputText: "book a table for two",
      enableTrace: true,
      sessionState: { sessionAttributes: { emulator: JSON.stringify({ replyWords: 8 }) } },
      sourceArn: "arn:aws:bedrock:us-east-1:123456789012:agent/AGENT12345",
    };
    const out = await client.send(new InvokeAgentCommand(input));
    expect(out.sessionId).toBe("session-42");
    expect(out.contentType).toBe("application/json");
    let answer = "";
    let usage: unknown;
    for await (const ev of out.completion!) {
      if (ev.chunk) answer += text(ev.chunk.bytes!);
      if (ev.trace) usage = ev.trace.trace?.orchestrationTrace?.modelInvocationOutput?.metadata?.usage;
    }
    const exp = expectedUsage(input, "InvokeAgent");
    expect(exp).toMatchObject({ inputTokens: 5, outputTokens: 8 });
    expect(answer).toBe(exp.replyText);
    expect(usage).toEqual({ inputTokens: exp.inputTokens, outputTokens: exp.outputTokens });
    expect(emu.requests.at(-1)!.headers["x-amz-source-arn"]).toBe(input.sourceArn);
  });

  test("InvokeAgent without trace sends only chunks", async () => {
    const out = await client.send(new InvokeAgentCommand({ agentId: "A", agentAliasId: "B", sessionId: "s", inputText: "hi" }));
    const kinds: string[] = [];
    for await (const ev of out.completion!) kinds.push(Object.keys(ev)[0]!);
    expect(new Set(kinds)).toEqual(new Set(["chunk"]));
  });

  test("agent memory: get and delete (202)", async () => {
    const got = await client.send(new GetAgentMemoryCommand({ agentId: "A", agentAliasId: "B", memoryType: "SESSION_SUMMARY", memoryId: "mem-1" }));
    expect(got.memoryContents?.[0]?.sessionSummary?.memoryId).toBe("mem-1");
    const del = await client.send(new DeleteAgentMemoryCommand({ agentId: "A", agentAliasId: "B" }));
    expect(del.$metadata.httpStatusCode).toBe(202);
  });

  test("sessions lifecycle", async () => {
    const created = await client.send(new CreateSessionCommand({}));
    expect(created.sessionStatus).toBe("ACTIVE");
    expect(created.createdAt).toBeInstanceOf(Date);
    const id = created.sessionId!;
    expect((await client.send(new GetSessionCommand({ sessionIdentifier: id }))).sessionId).toBe(id);
    expect((await client.send(new UpdateSessionCommand({ sessionIdentifier: id }))).sessionId).toBe(id);
    expect((await client.send(new ListSessionsCommand({}))).sessionSummaries?.length).toBe(1);
    expect((await client.send(new EndSessionCommand({ sessionIdentifier: id }))).sessionStatus).toBe("ENDED");
    expect((await client.send(new DeleteSessionCommand({ sessionIdentifier: id }))).$metadata.httpStatusCode).toBe(200);
  });

  test("InvokeFlow", async () => {
    const out = await client.send(
      new InvokeFlowCommand({ flowIdentifier: "F1", flowAliasIdentifier: "A1", inputs: [{ nodeName: "FlowInputNode", nodeOutputName: "document", content: { document: "hi" } }] }),
    );
    expect(out.executionId).toBeTruthy();
    const kinds: string[] = [];
    for await (const ev of out.responseStream!) kinds.push(Object.keys(ev)[0]!);
    expect(kinds).toEqual(["flowOutputEvent", "flowCompletionEvent"]);
  });
});

describe("misc agent-runtime operations", () => {
  test("Rerank", async () => {
    const out = await client.send(
      new RerankCommand({
        queries: [{ type: "TEXT", textQuery: { text: "q" } }],
        sources: ["a", "b", "c"].map((t) => ({ type: "INLINE", inlineDocumentSource: { type: "TEXT", textDocument: { text: t } } })),
        rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL", bedrockRerankingConfiguration: { numberOfResults: 2, modelConfiguration: { modelArn: "m" } } },
      }),
    );
    expect(out.results?.map((r) => r.index)).toEqual([0, 1]);
  });

  test("GenerateQuery", async () => {
    const out = await client.send(
      new GenerateQueryCommand({ queryGenerationInput: { type: "TEXT", text: "q" }, transformationConfiguration: { mode: "TEXT_TO_SQL", textToSqlConfiguration: { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseArn: "k" } } } }),
    );
    expect(out.queries?.[0]?.type).toBe("REDSHIFT_SQL");
  });

  test("OptimizePrompt (event stream)", async () => {
    const out = await client.send(new OptimizePromptCommand({ input: { textPrompt: { text: "make it good" } }, targetModelId: "m" }));
    const events: any[] = [];
    for await (const ev of out.optimizedPrompt!) events.push(ev);
    expect(events.at(-1).optimizedPromptEvent.optimizedPrompt.textPrompt.text).toBe("Optimized: make it good");
  });

  test("tags: list, tag, untag (ARN with ':' and '/')", async () => {
    const resourceArn = "arn:aws:bedrock:us-east-1:123456789012:flow/F1/alias/A1";
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ emulator: "true" });
    await client.send(new TagResourceCommand({ resourceArn, tags: { a: "1" } }));
    await client.send(new UntagResourceCommand({ resourceArn, tagKeys: ["a", "b"] }));
    expect(emu.requests.at(-1)).toMatchObject({ operation: "UntagResource", verified: true, query: "tagKeys=a&tagKeys=b" });
  });
});
