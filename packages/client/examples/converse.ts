// npx bun examples/converse.ts   (env: BEDROCK_PROXY_URL=http://localhost:4000/bedrock GATEWAY_KEY=sk-... [MODEL_ID=...])
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { createProxiedBedrockClient } from "@bedrock-gateway/client";

const key = process.env.GATEWAY_KEY;
if (!key) throw new Error("set GATEWAY_KEY");

// baseUrl defaults to BEDROCK_PROXY_URL; passed explicitly here only to make the wiring visible.
const bedrock = createProxiedBedrockClient(key, { baseUrl: process.env.BEDROCK_PROXY_URL });

const response = await bedrock.send(
  new ConverseCommand({
    modelId: process.env.MODEL_ID ?? "amazon.nova-lite-v1:0",
    messages: [{ role: "user", content: [{ text: "Say hello in five words." }] }],
    inferenceConfig: { maxTokens: 100 },
  }),
);

console.log(response.output?.message?.content?.[0]?.text);
console.log("usage:", response.usage);
