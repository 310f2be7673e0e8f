import { type InvokeFamily, latestCountsReader, openAiStyleUsage } from "./family.ts";

/**
 * DeepSeek: the chat format carries OpenAI-style `usage`; R1's text-completion format (`{choices: [{text, stop_reason}]}`)
 * carries none, so those calls rely on the token-count headers or `amazon-bedrock-invocationMetrics`.
 */
export const deepseek: InvokeFamily = {
  name: "deepseek",
  body: openAiStyleUsage,
  stream: () => latestCountsReader(openAiStyleUsage),
};
