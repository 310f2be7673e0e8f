// npx bun examples/converse-stream.ts   (env: BEDROCK_PROXY_URL, GATEWAY_KEY, [MODEL_ID])
import { ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { createProxiedBedrockClient } from "@bedrock-gateway/client";

const key = process.env.GATEWAY_KEY;
if (!key) throw new Error("set GATEWAY_KEY");

const bedrock = createProxiedBedrockClient(key, { baseUrl: process.env.BEDROCK_PROXY_URL });

const { stream } = await bedrock.send(
  new ConverseStreamCommand({
    modelId: process.env.MODEL_ID ?? "amazon.nova-lite-v1:0",
    messages: [{ role: "user", content: [{ text: "Count from 1 to 10." }] }],
  }),
);

for await (const event of stream ?? []) {
  if (event.contentBlockDelta?.delta?.text) process.stdout.write(event.contentBlockDelta.delta.text);
  if (event.metadata) console.log("\nusage:", event.metadata.usage);
}
