import { describe, expect, it } from "vitest";
import {
  AgenticRetrieveStreamCommand,
  BedrockAgentRuntimeClient,
  InvokeInlineAgentCommand,
  RerankCommand,
  RetrieveAndGenerateCommand,
  RetrieveAndGenerateStreamCommand,
  RetrieveCommand,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { BedrockRuntimeClient, StartAsyncInvokeCommand } from "@aws-sdk/client-bedrock-runtime";
import { bodyModelFields, modelsInBody } from "../../src/policy/body-models.ts";

/**
 * The fields are read from bodies as the official SDK serialises them: each command is built with every model
 * field set, and its request captured before it is sent.
 */
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const capturing = () => {
  let body = "";
  const requestHandler = {
    async handle(request: { body?: unknown }) {
      body = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : String(request.body);
      throw new Error("captured");
    },
  };
  return { requestHandler: requestHandler as never, body: () => JSON.parse(body) as unknown };
};
const agentBody = async (command: { input: unknown }) => {
  const capture = capturing();
  const client = new BedrockAgentRuntimeClient({ region: "us-east-1", credentials, requestHandler: capture.requestHandler, maxAttempts: 1 });
  await expect(client.send(command as never)).rejects.toThrow("captured");
  return capture.body();
};

const retrieval = (tag: string) => ({
  vectorSearchConfiguration: {
    rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL" as const, bedrockRerankingConfiguration: { modelConfiguration: { modelArn: `${tag}-rerank` } } },
    implicitFilterConfiguration: { metadataAttributes: [], modelArn: `${tag}-filter` },
  },
});
const retrievalFields = (prefix: string, tag: string) => [
  { field: `${prefix}.vectorSearchConfiguration.rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn`, model: `${tag}-rerank` },
  { field: `${prefix}.vectorSearchConfiguration.implicitFilterConfiguration.modelArn`, model: `${tag}-filter` },
];

describe("models a request body names, by operation (data residency checks each)", () => {
  it("StartAsyncInvoke: modelId", async () => {
    const capture = capturing();
    const client = new BedrockRuntimeClient({ region: "us-east-1", credentials, requestHandler: capture.requestHandler, maxAttempts: 1 });
    const command = new StartAsyncInvokeCommand({ modelId: "us.amazon.nova-reel-v1:1", modelInput: { modelId: "not this one" }, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://b/" } } });
    await expect(client.send(command)).rejects.toThrow("captured");
    // modelInput is the model's own document: a `modelId` inside it names nothing.
    expect(modelsInBody(bodyModelFields.StartAsyncInvoke!, capture.body())).toEqual([{ field: "modelId", model: "us.amazon.nova-reel-v1:1" }]);
  });

  it("RetrieveAndGenerate and its stream: the knowledge base's or external sources' modelArn, the reranking and implicit-filter models", async () => {
    const input = {
      input: { text: "q" },
      retrieveAndGenerateConfiguration: {
        type: "KNOWLEDGE_BASE" as const,
        knowledgeBaseConfiguration: { knowledgeBaseId: "KB", modelArn: "generate", retrievalConfiguration: retrieval("kb") },
        externalSourcesConfiguration: { modelArn: "external", sources: [] },
      },
    };
    const expected = [
      { field: "retrieveAndGenerateConfiguration.knowledgeBaseConfiguration.modelArn", model: "generate" },
      ...retrievalFields("retrieveAndGenerateConfiguration.knowledgeBaseConfiguration.retrievalConfiguration", "kb"),
      { field: "retrieveAndGenerateConfiguration.externalSourcesConfiguration.modelArn", model: "external" },
    ];
    expect(modelsInBody(bodyModelFields.RetrieveAndGenerate!, await agentBody(new RetrieveAndGenerateCommand(input)))).toEqual(expected);
    expect(modelsInBody(bodyModelFields.RetrieveAndGenerateStream!, await agentBody(new RetrieveAndGenerateStreamCommand(input)))).toEqual(expected);
  });

  it("Retrieve and Rerank: their reranking (and implicit-filter) models", async () => {
    const retrieve = await agentBody(new RetrieveCommand({ knowledgeBaseId: "KB", retrievalQuery: { text: "q" }, retrievalConfiguration: retrieval("r") }));
    expect(modelsInBody(bodyModelFields.Retrieve!, retrieve)).toEqual(retrievalFields("retrievalConfiguration", "r"));
    const rerank = await agentBody(
      new RerankCommand({
        queries: [{ type: "TEXT", textQuery: { text: "q" } }],
        sources: [],
        rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL", bedrockRerankingConfiguration: { modelConfiguration: { modelArn: "reranker" } } },
      }),
    );
    expect(modelsInBody(bodyModelFields.Rerank!, rerank)).toEqual([{ field: "rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn", model: "reranker" }]);
  });

  it("InvokeInlineAgent: its foundationModel, prompt overrides, knowledge bases, and every collaborator's", async () => {
    const prompts = (tag: string) => ({ promptConfigurations: [{ promptType: "ORCHESTRATION" as const, foundationModel: `${tag}-orchestration` }, { promptType: "PRE_PROCESSING" as const }] });
    const body = await agentBody(
      new InvokeInlineAgentCommand({
        sessionId: "s",
        instruction: "Be brief, and answer from the knowledge base.",
        foundationModel: "supervisor",
        promptOverrideConfiguration: prompts("supervisor"),
        knowledgeBases: [{ knowledgeBaseId: "KB", description: "docs", retrievalConfiguration: retrieval("supervisor-kb") }],
        collaborators: [
          { foundationModel: "first", instruction: "Collaborate." },
          { foundationModel: "second", instruction: "Collaborate too.", promptOverrideConfiguration: prompts("second"), knowledgeBases: [{ knowledgeBaseId: "KB2", description: "more", retrievalConfiguration: retrieval("second-kb") }] },
        ],
      }),
    );
    expect(modelsInBody(bodyModelFields.InvokeInlineAgent!, body)).toEqual([
      { field: "foundationModel", model: "supervisor" },
      { field: "promptOverrideConfiguration.promptConfigurations[0].foundationModel", model: "supervisor-orchestration" },
      ...retrievalFields("knowledgeBases[0].retrievalConfiguration", "supervisor-kb"),
      { field: "collaborators[0].foundationModel", model: "first" },
      { field: "collaborators[1].foundationModel", model: "second" },
      { field: "collaborators[1].promptOverrideConfiguration.promptConfigurations[0].foundationModel", model: "second-orchestration" },
      ...retrievalFields("collaborators[1].knowledgeBases[0].retrievalConfiguration", "second-kb"),
    ]);
  });

  it("AgenticRetrieveStream: its foundation model (Bedrock or Mantle) and reranking model", async () => {
    const body = await agentBody(
      new AgenticRetrieveStreamCommand({
        messages: [],
        retrievers: [],
        agenticRetrieveConfiguration: {
          foundationModelType: "CUSTOM",
          foundationModelConfiguration: {
            type: "BEDROCK_FOUNDATION_MODEL",
            bedrockFoundationModelConfiguration: { modelConfiguration: { modelArn: "planner" } },
            mantleFoundationModelConfiguration: { modelConfiguration: { modelArn: "mantle" } },
          },
          rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL", bedrockRerankingConfiguration: { modelConfiguration: { modelArn: "reranker" } } },
        },
      }),
    );
    expect(modelsInBody(bodyModelFields.AgenticRetrieveStream!, body)).toEqual([
      { field: "agenticRetrieveConfiguration.foundationModelConfiguration.bedrockFoundationModelConfiguration.modelConfiguration.modelArn", model: "planner" },
      { field: "agenticRetrieveConfiguration.foundationModelConfiguration.mantleFoundationModelConfiguration.modelConfiguration.modelArn", model: "mantle" },
      { field: "agenticRetrieveConfiguration.rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn", model: "reranker" },
    ]);
  });

  it("a body that is not an object, or whose fields are missing, empty or of another type, names nothing", () => {
    const fields = bodyModelFields.InvokeInlineAgent!;
    for (const body of [undefined, null, "us.x.y", 42, [], {}, { foundationModel: "" }, { foundationModel: 7 }, { foundationModel: ["us.x.y"] }, { collaborators: [null, "us.x.y"] }]) {
      expect([body, modelsInBody(fields, body)]).toEqual([body, []]);
    }
  });
});
