// npx bun examples/kb-retrieve.ts   (env: BEDROCK_PROXY_URL, GATEWAY_KEY, KNOWLEDGE_BASE_ID, [MODEL_ARN] for RetrieveAndGenerate)
import { RetrieveAndGenerateCommand, RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { createProxiedBedrockAgentClient } from "@bedrock-gateway/client";

const key = process.env.GATEWAY_KEY;
const knowledgeBaseId = process.env.KNOWLEDGE_BASE_ID;
if (!key || !knowledgeBaseId) throw new Error("set GATEWAY_KEY and KNOWLEDGE_BASE_ID");

const agents = createProxiedBedrockAgentClient(key, { baseUrl: process.env.BEDROCK_PROXY_URL });
const question = "What is our refund policy?";

const retrieved = await agents.send(
  new RetrieveCommand({
    knowledgeBaseId,
    retrievalQuery: { text: question },
    retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 3 } },
  }),
);
for (const result of retrieved.retrievalResults ?? []) {
  console.log(result.score?.toFixed(3), result.content?.text?.slice(0, 120));
}

if (process.env.MODEL_ARN) {
  const answer = await agents.send(
    new RetrieveAndGenerateCommand({
      input: { text: question },
      retrieveAndGenerateConfiguration: {
        type: "KNOWLEDGE_BASE",
        knowledgeBaseConfiguration: { knowledgeBaseId, modelArn: process.env.MODEL_ARN },
      },
    }),
  );
  console.log("\nanswer:", answer.output?.text);
}
