import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { bedrockRoutes } from "../src/index.ts";
import { sdkCommandNames, sdkOperations, type SdkService } from "../scripts/sdk-operations.ts";

const services: SdkService[] = ["bedrock-runtime", "bedrock-agent-runtime"];
const usageKinds = new Set([
  "converse", "converse-stream", "invoke", "invoke-stream", "count-tokens",
  "guardrail", "retrieve-and-generate", "invoke-agent", "flow", "rerank", "async-invoke", "openai-chat", "openai-responses", "anthropic-messages", "bidirectional-stream", "none",
]);
// The OpenAI- and Anthropic-compatible paths are served by bedrock-runtime but are no AWS SDK command.
const sdkRoutes = bedrockRoutes.filter((r) => r.dialect === undefined);

describe("bedrockRoutes", () => {
  it("every route has service, streaming and usage", () => {
    for (const r of bedrockRoutes) {
      expect([...services, "bedrock"], r.operationId).toContain(r.service);
      expect(typeof r.streaming, r.operationId).toBe("boolean");
      expect(usageKinds.has(r.usage), `${r.operationId}: ${r.usage}`).toBe(true);
      expect(r.segments.join("/"), r.operationId).toBe(r.path.slice(1));
    }
  });

  it("operationIds are unique", () => {
    const ids = bedrockRoutes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("method + path pairs are unique", () => {
    const keys = bedrockRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("is frozen, so the proxy cannot mutate shared routing state", () => {
    expect(Object.isFrozen(bedrockRoutes)).toBe(true);
    expect(Object.isFrozen(bedrockRoutes[0])).toBe(true);
    expect(Object.isFrozen(bedrockRoutes[0].segments)).toBe(true);
  });

  for (const service of services) {
    describe(service, () => {
      const routes = sdkRoutes.filter((r) => r.service === service);

      it("has one route per SDK command (commands directory listing)", () => {
        const commands = sdkCommandNames(service);
        expect(commands.length).toBeGreaterThan(5);
        expect(routes.length).toBe(commands.length);
        expect(routes.map((r) => r.operationId).sort()).toEqual(commands);
      });

      it("matches the SDK's method and URI template for every operation", () => {
        const expected = sdkOperations(service).map((o) => `${o.operationId} ${o.method} ${o.path}`).sort();
        const actual = routes.map((r) => `${r.operationId} ${r.method} ${r.path}`).sort();
        expect(actual).toEqual(expected);
      });

      it("marks exactly the SDK's event-stream operations as streaming", () => {
        const expected = sdkOperations(service).filter((o) => o.inputStreaming || o.outputStreaming).map((o) => o.operationId).sort();
        expect(routes.filter((r) => r.streaming).map((r) => r.operationId).sort()).toEqual(expected);
      });
    });
  }

  it("serves a read-only slice of the control plane, each route as @aws-sdk/client-bedrock sends it", () => {
    const sdk = new Set(sdkOperations("bedrock").map((o) => `${o.operationId} ${o.method} ${o.path}`));
    const routes = bedrockRoutes.filter((r) => r.service === "bedrock");
    expect(routes.map((r) => r.operationId).sort()).toEqual(
      ["GetFoundationModel", "GetInferenceProfile", "GetModelInvocationJob", "ListFoundationModels", "ListInferenceProfiles", "ListModelInvocationJobs"],
    );
    for (const r of routes) {
      expect(sdk.has(`${r.operationId} ${r.method} ${r.path}`), r.operationId).toBe(true);
      expect(r.method).toBe("GET");
    }
  });

  it("reads the OpenAI-compatible routes' model from the body and answers them in OpenAI's error shape", () => {
    const openai = bedrockRoutes.filter((r) => r.dialect === "openai");
    expect(openai.map((r) => `${r.method} ${r.path} ${r.usage} ${r.modelFrom}`)).toEqual([
      "POST /openai/v1/chat/completions openai-chat body",
      "POST /openai/v1/responses openai-responses body",
    ]);
    expect(openai.every((r) => r.service === "bedrock-runtime")).toBe(true);
  });

  it("reads the Anthropic Messages route's model from the body and answers it in Anthropic's error shape", () => {
    const anthropic = bedrockRoutes.filter((r) => r.dialect === "anthropic");
    expect(anthropic.map((r) => `${r.operationId} ${r.method} ${r.path} ${r.usage} ${r.modelFrom} ${r.service} ${r.streaming}`)).toEqual([
      "CreateMessage POST /anthropic/v1/messages anthropic-messages body bedrock-runtime false",
    ]);
  });

  it("gives the metered operations their usage extractor", () => {
    const usage = Object.fromEntries(bedrockRoutes.map((r) => [r.operationId, r.usage]));
    expect(usage).toMatchObject({
      Converse: "converse",
      ConverseStream: "converse-stream",
      InvokeModel: "invoke",
      InvokeModelWithResponseStream: "invoke-stream",
      CountTokens: "count-tokens",
      ApplyGuardrail: "guardrail",
      RetrieveAndGenerate: "retrieve-and-generate",
      RetrieveAndGenerateStream: "retrieve-and-generate",
      InvokeAgent: "invoke-agent",
      InvokeInlineAgent: "invoke-agent",
      InvokeFlow: "flow",
      Rerank: "rerank",
      StartAsyncInvoke: "async-invoke",
    });
  });
});

describe("openapi.json", () => {
  it("is the YAML spec as JSON, including the admin API", () => {
    const spec = JSON.parse(readFileSync(new URL("../src/openapi.json", import.meta.url), "utf8"));
    expect(spec.openapi).toMatch(/^3\.1/);
    expect(spec.paths["/key/generate"].post.operationId).toBe("generateKey");
    expect(spec.paths["/bedrock/model/{modelId}/converse"].post["x-bedrock-usage"]).toBe("converse");
  });
});
