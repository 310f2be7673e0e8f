import { describe, expect, it } from "vitest";
import { familyOf } from "../../src/usage/invoke/index.ts";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { feed, json, ok, splitAt } from "./frames.ts";

const invoke = (modelId: string | null, body: unknown, headers: Record<string, string> = {}) => {
  const bytes = json(body);
  return feed(createUsageMeter("invoke", { modelId, ...ok(headers) }), splitAt(bytes, [1, Math.floor(bytes.byteLength / 2)]));
};

describe("InvokeModel", () => {
  it("prefers the token-count headers and keeps no copy of the body", () => {
    const meter = createUsageMeter("invoke", {
      modelId: "meta.llama3-70b-instruct-v1:0",
      ...ok({ "X-Amzn-Bedrock-Input-Token-Count": "11", "X-Amzn-Bedrock-Output-Token-Count": "22" }),
    });
    // Not JSON at all: the headers alone decide.
    expect(feed(meter, [new Uint8Array([1, 2, 3])])).toEqual({ inputTokens: 11, outputTokens: 22, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "invoke-headers", complete: true });
  });

  it("reads the cache token headers when present", () => {
    const usage = invoke("anthropic.claude-3-5-haiku-20241022-v1:0", {}, {
      "x-amzn-bedrock-input-token-count": "10",
      "x-amzn-bedrock-output-token-count": "5",
      "x-amzn-bedrock-cache-read-input-token-count": "1000",
      "x-amzn-bedrock-cache-write-input-token-count": "7",
    });
    expect(usage).toMatchObject({ cacheReadInputTokens: 1000, cacheWriteInputTokens: 7, source: "invoke-headers" });
  });

  const families: [string, string, unknown, [number, number, number?, number?]][] = [
    ["anthropic", "us.anthropic.claude-sonnet-4-20250514-v1:0", { id: "msg_1", type: "message", content: [{ type: "text", text: "hi" }], usage: { input_tokens: 12, output_tokens: 34, cache_read_input_tokens: 100, cache_creation_input_tokens: 50 } }, [12, 34, 100, 50]],
    ["nova", "amazon.nova-pro-v1:0", { output: { message: { role: "assistant", content: [{ text: "hi" }] } }, stopReason: "end_turn", usage: { inputTokens: 7, outputTokens: 9, totalTokens: 16, cacheReadInputTokenCount: 3, cacheWriteInputTokenCount: 2 } }, [7, 9, 3, 2]],
    ["titan", "amazon.titan-text-express-v1", { inputTextTokenCount: 5, results: [{ tokenCount: 8, outputText: "hi", completionReason: "FINISH" }] }, [5, 8]],
    ["titan embeddings", "amazon.titan-embed-text-v2:0", { embedding: [0.1, 0.2], inputTextTokenCount: 6 }, [6, 0]],
    ["llama", "meta.llama3-1-8b-instruct-v1:0", { generation: "hi", prompt_token_count: 21, generation_token_count: 4, stop_reason: "stop" }, [21, 4]],
    ["mistral chat", "mistral.mistral-large-2407-v1:0", { id: "x", choices: [{ message: { content: "hi" } }], usage: { prompt_tokens: 13, completion_tokens: 2, total_tokens: 15 } }, [13, 2]],
    ["cohere", "cohere.command-r-plus-v1:0", { response_id: "r", text: "hi", finish_reason: "COMPLETE", meta: { billed_units: { input_tokens: 30, output_tokens: 6 } } }, [30, 6]],
    ["ai21 jamba", "ai21.jamba-1-5-mini-v1:0", { id: "j", choices: [{ message: { content: "hi" } }], usage: { prompt_tokens: 17, completion_tokens: 3, total_tokens: 20 } }, [17, 3]],
    ["ai21 jurassic", "ai21.j2-ultra-v1", { prompt: { tokens: [{}, {}, {}] }, completions: [{ data: { text: "hi", tokens: [{}, {}] } }] }, [3, 2]],
    ["deepseek chat", "us.deepseek.r1-v1:0", { choices: [{ message: { content: "hi" } }], usage: { prompt_tokens: 40, completion_tokens: 400 } }, [40, 400]],
  ];
  for (const [name, modelId, body, [input, output, cacheRead = 0, cacheWrite = 0]] of families) {
    it(`reads the ${name} native body`, () => {
      expect(invoke(modelId, body)).toEqual({ inputTokens: input, outputTokens: output, cacheReadInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite, source: "invoke-body", complete: true });
    });
  }

  it("tries every known shape for an application inference profile ARN", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    expect(familyOf(arn)).toBeNull();
    expect(invoke(arn, { generation: "hi", prompt_token_count: 2, generation_token_count: 3 })).toMatchObject({ inputTokens: 2, outputTokens: 3, source: "invoke-body" });
    expect(invoke(arn, { usage: { input_tokens: 4, output_tokens: 5 } })).toMatchObject({ inputTokens: 4, outputTokens: 5 });
  });

  it("picks the family after stripping profile prefixes", () => {
    expect(familyOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0")?.name).toBe("anthropic");
    expect(familyOf("apac.amazon.nova-lite-v1:0")?.name).toBe("nova");
    expect(familyOf("us-gov.meta.llama3-8b-instruct-v1:0")?.name).toBe("llama");
  });

  it("says so when neither headers nor body carry usage (DeepSeek R1 text format)", () => {
    expect(invoke("deepseek.r1-v1:0", { choices: [{ text: "hi", stop_reason: "stop" }] })).toMatchObject({ source: "unreadable", complete: false, note: expect.stringContaining("no token-count headers") });
  });
});
