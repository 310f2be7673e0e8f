import { type InvokeFamily, latestCountsReader, openAiStyleUsage } from "./family.ts";

/**
 * Mistral: the chat-completion format (Mistral Large 2+, Pixtral) carries OpenAI-style `usage`; the older
 * text-completion format (`{outputs: [{text}]}`) carries none, so those calls rely on the token-count headers.
 */
export const mistral: InvokeFamily = {
  name: "mistral",
  body: openAiStyleUsage,
  stream: () => latestCountsReader(openAiStyleUsage),
};
