import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawnSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { ConverseCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { InvokeAgentCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { agentClient, runtimeClient, startStack, type Stack } from "../support/fixture.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

/**
 * Every family AWS bills, metered and priced end to end, against totals worked out by hand from the published
 * per-million prices (genai-prices 0.1.8 for the models it knows, the hand table for the rest):
 *   Claude Sonnet 4.5 regional (us. / in-region): $3.30 in, $16.50 out, $0.33 cache read, $4.125 5-min write, 1-hour write 2x input = $6.60
 *   Claude Sonnet 4.5 global: $3, $15, $0.30, $3.75, 1-hour $6
 *   Claude 3 Haiku: $0.25 in, $1.25 out; Titan Text Embeddings v2 $0.02 in; Cohere Embed English v3 $0.10 in
 *   Amazon Rerank 1.0 $1 per 1,000 queries, Cohere Rerank 3.5 $2; Nova Reel $0.08 per second;
 *   guardrails per 1,000 text units: content $0.15, topic $0.15, sensitive information $0.10, grounding $0.10, word free;
 *   image content filter $0.00075 per image; Automated Reasoning $0.17 per 1,000 text units per policy
 *   Nova 2 Lite in-region (genai-prices' regional entry) $0.33 in, $2.75 out; Claude Sonnet 4.6 regional $3.30 / $16.50
 *   Cohere Embed v4 $0.12; Titan Multimodal Embeddings $0.80 + $0.00006 per image; Nova Multimodal Embeddings $0.135 + $0.00006 per image
 *   Nova Canvas per image: up to 1024x1024 $0.04 standard / $0.06 premium, up to 2048x2048 $0.06 / $0.08;
 *   Titan Image Generator v2: up to 512x512 $0.008 / $0.01, larger $0.01 / $0.012; Stable Diffusion 3.5 Large $0.08
 */
const MASTER = "sk-master-families";
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"]).status === 0;
if (!hasBoto3) console.warn("boto3 spend test skipped: `python3 -c 'import boto3'` failed (pip install boto3 to run it)");
const PROFILE = (id: string) => `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/${id}`;

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("spend per family on %s", (_driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  let stack: Stack;
  let key: { key: string; token: string };
  let expectedTotal = 0;

  const admin = async (method: "GET" | "POST", path: string, body?: unknown) => {
    const res = await fetch(stack.gateway.url + path, { method, headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as any;
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(stack.bedrockUrl + path, { method: "POST", headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    expect(res.status, path).toBe(200);
    return res.headers.get("x-amzn-requestid")!;
  };
  const rowOf = async (requestId: string) => {
    for (let i = 0; i < 100; i++) {
      const row = (await admin("GET", `/spend/logs?api_key=${key.token}&page_size=1000`)).data.find((r: any) => r.upstream_request_id === requestId);
      if (row) return row;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no spend log for ${requestId}`);
  };
  const expectSpend = (row: any, usd: number) => {
    expect(row.spend, `${row.operation} ${row.model}: ${row.note}`).toBeCloseTo(usd, 6);
    expectedTotal += usd;
  };
  const converse = (usage: Record<string, number>) => ({ messages: [{ role: "user", content: [{ text: "Hello there" }] }], additionalModelRequestFields: { emulator: { usage } } });

  beforeAll(async () => {
    db = await makeDatabase();
    stack = await startStack({ MASTER_KEY: MASTER, DATABASE_URL: db.url, SPEND_FLUSH_INTERVAL_MS: "50" });
    key = await admin("POST", "/key/generate", { key_alias: "families" });
  });
  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it("cache writes at their own TTL price, regional vs global profile prices (Converse and InvokeModel)", async () => {
    const usage = { inputTokens: 100_000, outputTokens: 20_000, cacheReadInputTokens: 200_000, cacheWriteInputTokens: 40_000, cacheWrite1hInputTokens: 10_000 };
    const regional = await rowOf(await post(`/model/us.${SONNET}/converse`, converse(usage)));
    expect(regional).toMatchObject({ cache_write_input_tokens: 40_000, usage_source: "converse-body" });
    // 0.1M x 3.3 + 0.02M x 16.5 + 0.2M x 0.33 + 0.03M x 4.125 + 0.01M x 6.6
    expectSpend(regional, 0.33 + 0.33 + 0.066 + 0.12375 + 0.066);
    expect(regional.note).toMatch(/1-hour cache write price .* 2x the input rate/);
    const global = await rowOf(await post(`/model/global.${SONNET}/converse-stream`, converse(usage)));
    expect(global.usage_source).toBe("stream-metadata");
    expectSpend(global, 0.3 + 0.3 + 0.06 + 0.1125 + 0.06);

    // InvokeModel: the token-count headers give the cache writes, the Anthropic body says which were 1-hour.
    const claude = { anthropic_version: "bedrock-2023-05-31", max_tokens: 100, messages: [{ role: "user", content: "Hi" }], emulator: { usage: { inputTokens: 50_000, outputTokens: 10_000, cacheWriteInputTokens: 20_000, cacheWrite1hInputTokens: 20_000 } } };
    const invoke = await rowOf(await post(`/model/${SONNET}/invoke`, claude));
    expect(invoke.usage_source).toBe("invoke-headers");
    expectSpend(invoke, 0.165 + 0.165 + 0.132);
    // The stream's invocation metrics give the totals, its message_start the 1-hour part.
    const stream = await rowOf(await post(`/model/${SONNET}/invoke-with-response-stream`, claude));
    expect(stream.usage_source).toBe("invocation-metrics");
    expectSpend(stream, 0.165 + 0.165 + 0.132);
  });

  it("embedding models (Titan, Cohere): input tokens from the real response headers", async () => {
    const titan = await rowOf(await post("/model/amazon.titan-embed-text-v2:0/invoke", { inputText: "embed me please", dimensions: 256, emulator: { usage: { inputTokens: 1_000_000 } } }));
    expect(titan).toMatchObject({ input_tokens: 1_000_000, output_tokens: 0 });
    expectSpend(titan, 0.02);
    const cohere = await rowOf(await post("/model/cohere.embed-english-v3/invoke", { texts: ["one", "two"], input_type: "search_document", emulator: { usage: { inputTokens: 500_000 } } }));
    expectSpend(cohere, 0.05);
  });

  it("current ids that used to price to null: in-region Nova 2 Lite, Bedrock's version-less Claude Sonnet 4.6, Cohere Embed v4", async () => {
    const nova2 = await rowOf(await post("/model/amazon.nova-2-lite-v1:0/converse", converse({ inputTokens: 1_000_000, outputTokens: 100_000 })));
    expect(nova2.note ?? "").not.toMatch(/no price/);
    expectSpend(nova2, 0.33 + 0.275);
    expectSpend(await rowOf(await post("/model/anthropic.claude-sonnet-4-6/converse", converse({ inputTokens: 100_000, outputTokens: 20_000 }))), 0.33 + 0.33);
    const v4 = await rowOf(await post("/model/cohere.embed-v4:0/invoke", { texts: ["one", "two"], input_type: "search_document", emulator: { usage: { inputTokens: 1_000_000 } } }));
    expect(v4).toMatchObject({ input_tokens: 1_000_000, usage_source: "invoke-headers" });
    expectSpend(v4, 0.12);
    // Its image input has its own token price, which Bedrock's counts do not separate: unknown, never guessed.
    const v4Image = await rowOf(await post("/model/cohere.embed-v4:0/invoke", { images: ["data:image/png;base64,iVBORw0KGgo="], input_type: "image", emulator: { usage: { inputTokens: 500 } } }));
    expect(v4Image).toMatchObject({ spend: null, note: expect.stringContaining("no per-image input price for cohere.embed-v4:0") });
  });

  it("multimodal embeddings: text tokens plus a price per input image (Titan Multimodal, Nova Multimodal, through the AWS SDK)", async () => {
    const client = runtimeClient(stack.bedrockUrl, key.key);
    const invoke = async (modelId: string, body: unknown) => rowOf((await client.send(new InvokeModelCommand({ modelId, body: JSON.stringify(body) }))).$metadata.requestId!);
    const titan = await invoke("amazon.titan-embed-image-v1", { inputText: "a red shoe", inputImage: "iVBORw0KGgo=", emulator: { usage: { inputTokens: 100_000 } } });
    expectSpend(titan, 0.08 + 0.00006);
    const novaText = await invoke("amazon.nova-2-multimodal-embeddings-v1:0", { taskType: "SINGLE_EMBEDDING", singleEmbeddingParams: { embeddingPurpose: "GENERIC_INDEX", text: { truncationMode: "END", value: "x" } }, emulator: { usage: { inputTokens: 1_000_000 } } });
    expectSpend(novaText, 0.135);
    const novaImage = await invoke("amazon.nova-2-multimodal-embeddings-v1:0", { taskType: "SINGLE_EMBEDDING", singleEmbeddingParams: { embeddingPurpose: "GENERIC_INDEX", image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } } });
    expectSpend(novaImage, 0.00006);
  });

  it("image generation per image, by size and quality, from the images in the answer (Nova Canvas, Titan v2, Stability)", async () => {
    const client = runtimeClient(stack.bedrockUrl, key.key);
    const generate = async (modelId: string, body: unknown) => rowOf((await client.send(new InvokeModelCommand({ modelId, body: JSON.stringify(body) }))).$metadata.requestId!);
    const canvas = (numberOfImages: number, width: number, height: number, quality: string) => ({ taskType: "TEXT_IMAGE", textToImageParams: { text: "a lighthouse" }, imageGenerationConfig: { numberOfImages, width, height, quality } });
    const premiumLarge = await generate("amazon.nova-canvas-v1:0", canvas(3, 2048, 1024, "premium"));
    expect(premiumLarge).toMatchObject({ operation: "InvokeModel", model: "amazon.nova-canvas-v1:0", input_tokens: 0, output_tokens: 0, usage_source: "invoke-body" });
    expectSpend(premiumLarge, 3 * 0.08);
    expectSpend(await generate("us.amazon.nova-canvas-v1:0", canvas(2, 1024, 1024, "standard")), 2 * 0.04);
    expectSpend(await generate("amazon.titan-image-generator-v2:0", canvas(2, 512, 512, "premium")), 2 * 0.01);
    expectSpend(await generate("amazon.titan-image-generator-v2:0", { taskType: "TEXT_IMAGE", textToImageParams: { text: "a lighthouse" } }), 0.01); // 1024x1024 by default
    expectSpend(await generate("stability.sd3-5-large-v1:0", { prompt: "a lighthouse", aspect_ratio: "16:9" }), 0.08);
  });

  it("Rerank per query (one per started 100 documents), with the model from the body", async () => {
    const rerank = (model: string, documents: number) => ({
      queries: [{ type: "TEXT", textQuery: { text: "which is cheapest" } }],
      sources: Array.from({ length: documents }, (_, i) => ({ type: "INLINE", inlineDocumentSource: { type: "TEXT", textDocument: { text: `doc ${i}` } } })),
      rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL", bedrockRerankingConfiguration: { numberOfResults: 3, modelConfiguration: { modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${model}` } } },
    });
    const amazon = await rowOf(await post("/rerank", rerank("amazon.rerank-v1:0", 250)));
    expect(amazon).toMatchObject({ operation: "Rerank", model: "arn:aws:bedrock:us-east-1::foundation-model/amazon.rerank-v1:0", usage_source: "request-body" });
    expectSpend(amazon, (3 * 1) / 1000);
    const cohere = await rowOf(await post("/rerank", rerank("cohere.rerank-v3-5:0", 1000)));
    expectSpend(cohere, (10 * 2) / 1000);
  });

  it("guardrail text units per policy: ApplyGuardrail, and a Converse guardrail trace on top of the tokens", async () => {
    const perUnit = (0.15 + 0.15 + 0 + 0.1 + 0.1) / 1000; // content, topic, word, sensitive information, grounding
    const text = "x".repeat(10_500); // 11 units for each policy the emulator evaluates
    const row = await rowOf(await post("/guardrail/gr-1/version/1/apply", { source: "INPUT", content: [{ text: { text } }] }));
    expectSpend(row, 11 * perUnit);
    // Input 5,500 characters: 6 units; the 32-character reply: 1 unit. Tokens: 0.1M x 0.25 + 0.02M x 1.25.
    const guarded = await rowOf(
      await post(`/model/${HAIKU}/converse`, {
        messages: [{ role: "user", content: [{ text: "y".repeat(5_500) }] }],
        guardrailConfig: { guardrailIdentifier: "gr-1", guardrailVersion: "1", trace: "enabled" },
        additionalModelRequestFields: { emulator: { usage: { inputTokens: 100_000, outputTokens: 20_000 } } },
      }),
    );
    expectSpend(guarded, 0.025 + 0.025 + 7 * perUnit);
    // An image through the content filter, and two Automated Reasoning policies over the 3 text units.
    const withImage = await rowOf(
      await post("/guardrail/gr-1/version/1/apply", { source: "OUTPUT", content: [{ text: { text: "z".repeat(2_500) } }, { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }], emulator: { automatedReasoningPolicies: 2 } }),
    );
    expectSpend(withImage, 3 * perUnit + 0.00075 + (3 * 2 * 0.17) / 1000);
  });

  it("StartAsyncInvoke: video priced from its requested length; other jobs pending with the reason", async () => {
    const reel = await rowOf(
      await post("/async-invoke", { modelId: "amazon.nova-reel-v1:1", modelInput: { taskType: "MULTI_SHOT_AUTOMATED", multiShotAutomatedParams: { text: "a cat" }, videoGenerationConfig: { durationSeconds: 120, fps: 24, dimension: "1280x720" } }, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://b/out" } } }),
    );
    expect(reel).toMatchObject({ operation: "StartAsyncInvoke", model: "amazon.nova-reel-v1:1", usage_source: "request-body" });
    expectSpend(reel, 120 * 0.08);
    const other = await rowOf(await post("/async-invoke", { modelId: "twelvelabs.marengo-embed-2-7-v1:0", modelInput: { inputType: "text", inputText: "x" }, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://b/out" } } }));
    expect(other).toMatchObject({ spend: null, usage_source: "not-exposed", model: "twelvelabs.marengo-embed-2-7-v1:0" });
    expect(other.note).toMatch(/^pending: Bedrock bills the async job/);
  });

  it("RetrieveAndGenerate: the model from the body, spend null with the reason", async () => {
    const row = await rowOf(
      await post("/retrieveAndGenerate", { input: { text: "what is bedrock" }, retrieveAndGenerateConfiguration: { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseId: "KB12345678", modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}` } } }),
    );
    expect(row).toMatchObject({ spend: null, model: `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`, usage_source: "not-exposed" });
    expect(row.note).toMatch(/exposes no token usage for RetrieveAndGenerate.*from the request body/);
  });

  it("application inference profiles priced without any operator mapping (GetInferenceProfile)", async () => {
    const client = runtimeClient(stack.bedrockUrl, key.key);
    const call = async (profile: string) => {
      const out = await client.send(new ConverseCommand({ modelId: PROFILE(profile), messages: [{ role: "user", content: [{ text: "hi" }] }], additionalModelRequestFields: { emulator: { usage: { inputTokens: 100_000, outputTokens: 20_000 } } } as any }));
      return rowOf(out.$metadata.requestId!);
    };
    const global = await call("emulator-sonnet-global");
    expect(global.note).toContain(`application inference profile runs global.${SONNET} (GetInferenceProfile)`);
    expectSpend(global, 0.3 + 0.3);
    const regional = await call("emulator-sonnet-us");
    expectSpend(regional, 0.33 + 0.33);
    const single = await call("emulator-haiku");
    expectSpend(single, 0.025 + 0.025);
    // Cached: a second call does not ask the control plane again.
    const asked = stack.emulator.controlPlaneRequests.filter((r) => r.operation === "GetInferenceProfile").length;
    expectSpend(await call("emulator-haiku"), 0.05);
    expect(stack.emulator.controlPlaneRequests.filter((r) => r.operation === "GetInferenceProfile").length).toBe(asked);
    expect(stack.emulator.controlPlaneRequests.filter((r) => r.operation === "GetInferenceProfile").every((r) => r.verified)).toBe(true);

    const unknown = await call("no-such-profile");
    expect(unknown.spend).toBeNull();
    expect(unknown.note).toMatch(/model of the application inference profile unknown: .*404 ResourceNotFoundException/);
    await call("no-such-profile");
    expect(stack.gateway.output.filter((l) => l.includes("inference profile (GetInferenceProfile) lookup failed")).length).toBe(1);
  });

  it("InvokeAgent priced by the alias's foundation model (GetAgentAlias + GetAgentVersion / GetAgent), InvokeInlineAgent by its body", async () => {
    const agents = agentClient(stack.bedrockUrl, key.key);
    const invoke = async (agentAliasId: string) => {
      const out = await agents.send(
        new InvokeAgentCommand({ agentId: "EMULATORAG", agentAliasId, sessionId: "s-1", inputText: "hello", enableTrace: true, sessionState: { sessionAttributes: { emulator: JSON.stringify({ usage: { inputTokens: 100_000, outputTokens: 10_000 } }) } } }),
      );
      for await (const _ of out.completion!);
      return rowOf(out.$metadata.requestId!);
    };
    const versioned = await invoke("EMULATORV2"); // version 2 runs us.<Sonnet 4.5>
    expect(versioned).toMatchObject({ operation: "InvokeAgent", input_tokens: 100_000, output_tokens: 10_000, usage_source: "agent-trace" });
    expect(versioned.note).toContain(`agent EMULATORAG alias EMULATORV2 runs us.${SONNET}`);
    expectSpend(versioned, 0.33 + 0.165);
    const draft = await invoke("TSTALIASID"); // the draft runs Claude 3 Haiku
    expectSpend(draft, 0.025 + 0.0125);

    const inline = await rowOf(
      await post("/agents/s-2", { foundationModel: HAIKU, instruction: "You are a helpful agent for tests.", inputText: "hello", enableTrace: true, sessionState: { sessionAttributes: { emulator: JSON.stringify({ usage: { inputTokens: 200_000, outputTokens: 40_000 } }) } } }),
    );
    expect(inline).toMatchObject({ operation: "InvokeInlineAgent", model: HAIKU });
    expectSpend(inline, 0.05 + 0.05);
  });

  it.skipIf(!hasBoto3)("boto3: an application profile (bearer key) and an agent with trace, priced with no mapping", async () => {
    const { stdout } = await promisify(execFile)("python3", [path.resolve(import.meta.dirname, "../fixtures/priced_calls.py"), PROFILE("emulator-sonnet-us")], {
      env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", AWS_BEARER_TOKEN_BEDROCK: key.key, GATEWAY_BEDROCK_URL: stack.bedrockUrl, GATEWAY_KEY: key.key },
      encoding: "utf8",
      timeout: 60_000,
    });
    const ids = JSON.parse(stdout.trim().split("\n").pop()!);
    expectSpend(await rowOf(ids.converse), 0.33 + 0.33); // us. Sonnet 4.5: 0.1M x 3.3 + 0.02M x 16.5
    const agent = await rowOf(ids.agent); // the README's agent: alias MFPSBCXYTW → version 1 → Claude 3 Haiku
    expect(agent.note).toContain("agent L1RT58GYRW alias MFPSBCXYTW runs anthropic.claude-3-haiku-20240307-v1:0");
    expectSpend(agent, 0.025 + 0.025);
  });

  it("the key's total is the sum of every family, to the cent", async () => {
    let spend = 0;
    for (let i = 0; i < 100; i++) {
      spend = (await admin("GET", `/key/info?key=${key.key}`)).info.spend;
      if (Math.abs(spend - expectedTotal) < 0.005) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(expectedTotal).toBeGreaterThan(15);
    expect(Math.round(spend * 100)).toBe(Math.round(expectedTotal * 100));
  });
});
