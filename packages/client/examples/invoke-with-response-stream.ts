// npx bun examples/invoke-with-response-stream.ts   (env: BEDROCK_PROXY_URL, GATEWAY_KEY, [MODEL_ID] — an Anthropic model)
import { InvokeModelWithResponseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { createProxiedBedrockClient } from "@bedrock-gateway/client";

const key = process.env.GATEWAY_KEY;
if (!key) throw new Error("set GATEWAY_KEY");

const bedrock = createProxiedBedrockClient(key, { baseUrl: process.env.BEDROCK_PROXY_URL });

// InvokeModel bodies are model-native; this one is Anthropic's Messages format.
const { body } = await bedrock.send(
  new InvokeModelWithResponseStreamCommand({
    modelId: process.env.MODEL_ID ?? "anthropic.claude-3-haiku-20240307-v1:0",
    contentType: "application/json",
    body: JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 200,
      messages: [{ role: "user", content: "Write a haiku about proxies." }],
    }),
  }),
);

const decoder = new TextDecoder();
for await (const event of body ?? []) {
  if (!event.chunk?.bytes) continue;
  const chunk = JSON.parse(decoder.decode(event.chunk.bytes));
  if (chunk.type === "content_block_delta") process.stdout.write(chunk.delta.text ?? "");
  // Bedrock appends its own token counts to the last chunk.
  if (chunk["amazon-bedrock-invocationMetrics"]) console.log("\nmetrics:", chunk["amazon-bedrock-invocationMetrics"]);
}
