// npx bun examples/invoke-agent.ts   (env: BEDROCK_PROXY_URL, GATEWAY_KEY, AGENT_ID, AGENT_ALIAS_ID)
import { InvokeAgentCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { createProxiedBedrockAgentClient } from "@bedrock-gateway/client";

const key = process.env.GATEWAY_KEY;
const agentId = process.env.AGENT_ID;
const agentAliasId = process.env.AGENT_ALIAS_ID;
if (!key || !agentId || !agentAliasId) throw new Error("set GATEWAY_KEY, AGENT_ID and AGENT_ALIAS_ID");

const agents = createProxiedBedrockAgentClient(key, { baseUrl: process.env.BEDROCK_PROXY_URL });

const response = await agents.send(
  new InvokeAgentCommand({
    agentId,
    agentAliasId,
    sessionId: crypto.randomUUID(),
    inputText: "What can you help me with?",
  }),
);

const decoder = new TextDecoder();
for await (const event of response.completion ?? []) {
  if (event.chunk?.bytes) process.stdout.write(decoder.decode(event.chunk.bytes));
}
console.log("\nsession:", response.sessionId);
