// Runs under Node as a user's app would: the AI SDKs people point at Bedrock, each on its defaults and configured the
// way its docs say (environment first), aimed at a gateway. Prints one JSON line of what each one got back.
//   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION: a gateway-issued pair (SigV4 verified by the gateway)
//   AWS_ENDPOINT_URL_BEDROCK_RUNTIME, ANTHROPIC_BEDROCK_BASE_URL: the gateway's /bedrock, read by the SDKs themselves
//   GATEWAY_BEDROCK_URL: the same URL for the Vercel AI SDK, whose base URL is an option only
//   GATEWAY_KEY: the gateway key, as a Bedrock API key (bearer)
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import AnthropicBedrock from "@anthropic-ai/bedrock-sdk";
import { Agent, BedrockModel, tool as strandsTool } from "@strands-agents/sdk";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { z } from "zod";

const NOVA = "amazon.nova-lite-v1:0";
const CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0";
const env = process.env;
const result = {};

/** Each client's calls run on their own: one failing must not hide what the others did. */
async function attempt(name, run) {
  try {
    result[name] = await run();
  } catch (error) {
    result[name] = { error: `${error?.name}: ${error?.message}`, status: error?.statusCode ?? error?.status ?? error?.$metadata?.httpStatusCode ?? null };
  }
}

// Vercel AI SDK: credentials from the environment (its default), the base URL as an option.
const vercel = createAmazonBedrock({ baseURL: env.GATEWAY_BEDROCK_URL });
await attempt("vercelGenerate", async () => {
  const r = await generateText({ model: vercel(NOVA), prompt: "hello from the AI SDK" });
  return { text: r.text, inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens };
});
await attempt("vercelStream", async () => {
  const s = streamText({ model: vercel(NOVA), prompt: "stream from the AI SDK" });
  let text = "";
  for await (const delta of s.textStream) text += delta;
  const usage = await s.usage;
  return { text, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
});
await attempt("vercelTools", async () => {
  const weather = tool({ description: "Weather in a city", inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });
  const r = await generateText({ model: vercel(NOVA), prompt: "weather in Paris?", tools: { weather }, stopWhen: stepCountIs(3) });
  return { steps: r.steps.length, toolCalls: r.steps.flatMap((s) => s.toolCalls.map((c) => c.toolName)), text: r.text };
});
await attempt("vercelApiKey", async () => {
  const withKey = createAmazonBedrock({ baseURL: env.GATEWAY_BEDROCK_URL, apiKey: env.GATEWAY_KEY });
  return { text: (await generateText({ model: withKey(NOVA), prompt: "hello with an API key" })).text };
});

// Anthropic's Bedrock SDK: InvokeModel and InvokeModelWithResponseStream in the Messages format, its own SigV4 signer.
const anthropic = new AnthropicBedrock({ maxRetries: 0 });
await attempt("anthropicCreate", async () => {
  const m = await anthropic.messages.create({ model: CLAUDE, max_tokens: 256, messages: [{ role: "user", content: "hello from Anthropic's SDK" }] });
  return { text: m.content[0]?.text, inputTokens: m.usage.input_tokens, outputTokens: m.usage.output_tokens };
});
await attempt("anthropicStream", async () => {
  const stream = anthropic.messages.stream({ model: CLAUDE, max_tokens: 256, messages: [{ role: "user", content: "stream from Anthropic's SDK" }] });
  const m = await stream.finalMessage();
  return { text: m.content[0]?.text, inputTokens: m.usage.input_tokens, outputTokens: m.usage.output_tokens };
});

// Strands Agents: the agent loop over ConverseStream on the SDK's default (HTTP/2) handler, endpoint from the environment.
await attempt("strandsAgent", async () => {
  const calls = [];
  const lookup = strandsTool({
    name: "lookup_order",
    description: "Looks up an order",
    inputSchema: z.object({ orderId: z.string() }),
    callback: (input) => {
      calls.push(input.orderId);
      return `Order ${input.orderId} shipped`;
    },
  });
  const agent = new Agent({ model: new BedrockModel({ modelId: NOVA }), tools: [lookup], printer: false });
  const r = await agent.invoke("where is my order?");
  return { text: String(r).trim(), stopReason: r.stopReason, toolCalls: calls.length };
});

console.log(JSON.stringify(result));
process.exit(0);
