import { describe, expect, it } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import type { VirtualKeyView } from "../../src/auth/principal.ts";
import type { BedrockCall } from "../../src/pipeline/context.ts";
import { parseRawTarget } from "../../src/bedrock/raw-path.ts";
import { createRouteTable } from "../../src/bedrock/route-table.ts";
import { renderRefusal } from "../../src/pipeline/refusal.ts";
import { allowListStep, modelCandidates, modelPattern, routeGroupsBySegment } from "../../src/policy/allow-list.ts";

const routes = createRouteTable(bedrockRoutes);
const step = allowListStep();

function call(method: string, path: string, key: Partial<VirtualKeyView>): BedrockCall {
  const parsed = parseRawTarget("http://localhost/bedrock" + path, "/bedrock");
  if (!parsed.ok) throw new Error(parsed.reason);
  const route = routes.resolve(method, parsed.target.segments)!;
  const view: VirtualKeyView = {
    token: "t",
    keyAlias: null,
    models: [],
    allowedRoutes: [],
    allowedRegions: [],
    userId: null,
    teamId: null,
    maxBudget: null,
    budgetDuration: null,
    spend: 0,
    rpmLimit: null,
    tpmLimit: null,
    expires: null,
    metadata: {},
    ...key,
  };
  return {
    requestId: "r",
    startedAt: 0,
    request: new Request("http://localhost/bedrock" + path, { method }),
    target: parsed.target,
    route,
    region: "us-east-1",
    principal: { kind: "virtual", keyHash: "t", key: view },
    modelId: route.labels.modelId !== undefined ? decodeURIComponent(route.labels.modelId) : null,
    endUser: null,
    body: null,
  };
}

async function refusal(method: string, path: string, key: Partial<VirtualKeyView>): Promise<string | null> {
  const refused = await step.admit!(call(method, path, key));
  if (!refused) return null;
  const response = renderRefusal(refused);
  expect(response.status).toBe(403);
  expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
  return (await response.json()).message;
}

describe("model patterns", () => {
  it.each([
    ["anthropic.*", "anthropic.claude-3-haiku-20240307-v1:0", true],
    ["anthropic.*", "us.anthropic.claude-3-haiku-20240307-v1:0", false],
    ["us.anthropic.claude-*", "us.anthropic.claude-3-5-sonnet-20240620-v1:0", true],
    ["amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", true],
    ["amazon.nova-lite-v1:0", "amazon.nova-lite-v1:00", false],
    ["amazon.nova-lite-v1.0", "amazon.nova-lite-v1x0", false],
    ["*", "anything", true],
  ])("%s matches %s: %s", (pattern, model, expected) => {
    expect(modelPattern(pattern).test(model)).toBe(expected);
  });

  it("reads the model id out of foundation-model and system inference-profile ARNs", () => {
    expect(modelCandidates("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0")).toContain("amazon.nova-lite-v1:0");
    expect(modelCandidates("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku")).toContain("us.anthropic.claude-3-haiku");
    expect(modelCandidates("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123")).toEqual([
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ]);
  });
});

describe("allow-list step", () => {
  it("lets every call through for a key without lists, and for master and open principals", async () => {
    expect(await refusal("POST", "/model/x/converse", {})).toBeNull();
    const master = { ...call("POST", "/model/x/converse", { models: ["y"] }), principal: { kind: "master" as const } };
    expect(await step.admit!(master)).toBeUndefined();
  });

  it("checks the decoded model id, ARNs included", async () => {
    const key = { models: ["amazon.nova-*", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"] };
    expect(await refusal("POST", "/model/amazon.nova-lite-v1%3A0/converse", key)).toBeNull();
    expect(await refusal("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.nova-pro-v1%3A0/invoke", key)).toBeNull();
    expect(await refusal("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse", key)).toBeNull();
    expect(await refusal("POST", "/model/anthropic.claude-v2/converse-stream", key)).toContain("may not use model anthropic.claude-v2");
  });

  it("refuses operations that carry their model in the body when the key has a model list", async () => {
    expect(await refusal("POST", "/async-invoke", { models: ["amazon.*"] })).toContain("StartAsyncInvoke");
    expect(await refusal("POST", "/retrieveAndGenerate", { models: ["amazon.*"] })).toContain("RetrieveAndGenerate");
    expect(await refusal("POST", "/async-invoke", {})).toBeNull();
  });
});

describe("a model-limited key and operations whose model the gateway cannot check", () => {
  const NOVA = "amazon.nova-lite-v1:0";
  const limited = { models: [NOVA] };
  // Besides `{modelId}`, a route may name its model in another label or the body (modelFrom), or be a control-plane
  // read whose answer is filtered by model instead (test/policy/control-plane-answers.test.ts).
  const modelless = bedrockRoutes.filter((r) => !r.segments.includes("{modelId}") && r.modelFrom === undefined && r.service !== "bedrock");
  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "X1");

  it("covers the operations found open: InvokeAgent, Retrieve, ApplyGuardrail, InvokeFlow, GenerateQuery, ...", () => {
    const ids = modelless.map((r) => r.operationId);
    for (const id of ["InvokeAgent", "Retrieve", "ApplyGuardrail", "InvokeFlow", "GenerateQuery", "AgenticRetrieveStream", "InvokeGuardrailChecks", "ListAsyncInvokes", "CreateSession"]) {
      expect(ids).toContain(id);
    }
  });

  it.each(modelless.map((r) => [r.operationId, r.method, concrete(r.path)] as const))("refuses %s (%s %s) without an explicit grant", async (operationId, method, path) => {
    const message = await refusal(method, path, limited);
    expect(message).toContain(operationId);
    expect(message).toContain("allowed_routes");
  });

  it.each(modelless.map((r) => [r.operationId, r.method, concrete(r.path)] as const))("lets %s through when allowed_routes names it or its group", async (operationId, method, path) => {
    expect(await refusal(method, path, { ...limited, allowedRoutes: [operationId] })).toBeNull();
    const group = routeGroupsBySegment[path.split("/")[1]!]!;
    expect(await refusal(method, path, { ...limited, allowedRoutes: [group] })).toBeNull();
  });

  it("checks the model where the spec says the route names it: another label, or the OpenAI or Anthropic body's model", async () => {
    expect(await refusal("GET", `/foundation-models/${NOVA}`, limited)).toBeNull();
    expect(await refusal("GET", "/foundation-models/anthropic.claude-3-haiku-20240307-v1:0", limited)).toContain("may not use model anthropic.claude-3-haiku");
    expect(await refusal("GET", "/inference-profiles/us.amazon.nova-lite-v1:0", { models: ["us.amazon.*"] })).toBeNull();
    // The control plane's lists name no model: they pass, and their answer is filtered (filter-answer.ts).
    expect(await refusal("GET", "/foundation-models", limited)).toBeNull();

    const chat = (model: string | null) => ({ ...call("POST", "/openai/v1/chat/completions", limited), modelId: model });
    expect(await step.admit!(chat(NOVA))).toBeUndefined();
    expect((await step.admit!(chat("openai.gpt-oss-20b-1:0")))?.message).toContain("may not use model openai.gpt-oss-20b-1:0");
    expect((await step.admit!(chat("amazon.nova-lite-v1%3A0")))?.message).toContain("second level of percent-encoding");
    const message = (model: string) => ({ ...call("POST", "/anthropic/v1/messages", limited), modelId: model });
    expect(await step.admit!(message(NOVA))).toBeUndefined();
    expect((await step.admit!(message("anthropic.claude-3-haiku-20240307-v1:0")))?.message).toContain("may not use model anthropic.claude-3-haiku");
  });

  it("does not take the service-wide groups as a grant", async () => {
    expect(await refusal("POST", "/knowledgebases/KB1/retrieve", { ...limited, allowedRoutes: ["agent-runtime"] })).toContain("Retrieve");
    expect(await refusal("POST", "/async-invoke", { ...limited, allowedRoutes: ["runtime"] })).toContain("StartAsyncInvoke");
    expect(await refusal("POST", "/model/amazon.nova-lite-v1:0/converse", { ...limited, allowedRoutes: ["runtime"] })).toBeNull();
  });

  it.each([
    ["an extra segment", "POST", `/model/${NOVA}/anthropic.claude-3-haiku-20240307-v1:0/converse`],
    ["an encoded traversal", "POST", `/model/${NOVA}/..%2Fanthropic.claude-3-haiku-20240307-v1:0/converse`],
    ["an unknown operation name", "POST", `/model/${NOVA}/converse-v2`],
    ["a known path with another method", "GET", `/model/${NOVA}/converse`],
    ["an unknown agent-runtime path", "POST", "/knowledgebases/KB1/retrieve/extra"],
  ])("refuses a path that matches no known operation (%s)", async (_name, method, path) => {
    expect(await refusal(method, path, limited)).toContain("matches no operation the gateway knows");
  });

  it.each([
    ["anthropic.*", "anthropic.x%2F..%2Famazon.nova-lite-v1:0"],
    ["anthropic.*", "anthropic.x%2Famazon.nova-lite-v1:0"],
    ["amazon.nova-lite-v1:0", "amazon.nova-lite-v1%253A0"],
    ["*", "..%2F..%2Fmodel%2Fx"],
    ["arn:aws:bedrock:us-east-1:1:application-inference-profile/*", "arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fa%2F..%2Fb"],
  ])("with models [%j], refuses the model id %s: a wildcard never spans '/', nothing is decoded twice", async (pattern, id) => {
    expect(await refusal("POST", `/model/${id}/converse`, { models: [pattern] })).toMatch(/may not use (this )?model/);
  });

  it("still matches what the patterns are for", async () => {
    expect(await refusal("POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", { models: ["anthropic.*"] })).toBeNull();
    expect(await refusal("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/converse", { models: ["arn:aws:bedrock:us-east-1:1:application-inference-profile/*"] })).toBeNull();
    expect(await refusal("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/converse", { models: ["*"] })).toBeNull();
    expect(await refusal("POST", "/model/us.anthropic.claude-3-haiku/converse", { models: ["*"] })).toBeNull();
  });

  it("checks route groups and operation ids", async () => {
    expect(await refusal("POST", "/model/m/converse", { allowedRoutes: ["runtime"] })).toBeNull();
    expect(await refusal("POST", "/agents/A/agentAliases/B/sessions/S/text", { allowedRoutes: ["runtime"] })).toContain("operation InvokeAgent");
    expect(await refusal("POST", "/agents/A/agentAliases/B/sessions/S/text", { allowedRoutes: ["agents"] })).toBeNull();
    expect(await refusal("POST", "/knowledgebases/KB/retrieve", { allowedRoutes: ["knowledgebases"] })).toBeNull();
    expect(await refusal("POST", "/model/m/converse", { allowedRoutes: ["Converse"] })).toBeNull();
    expect(await refusal("POST", "/model/m/invoke", { allowedRoutes: ["Converse", "ConverseStream"] })).toContain("operation InvokeModel");
    expect(await refusal("POST", "/model/m/invoke", { allowedRoutes: ["inference"] })).toBeNull();
    expect(await refusal("POST", "/model/m/converse", { allowedRoutes: ["agent-runtime"] })).toContain("Converse");
  });

  it("the openai group allows the OpenAI-compatible routes and inference does not; likewise the anthropic group", async () => {
    for (const path of ["/openai/v1/chat/completions", "/openai/v1/responses"]) {
      expect(await refusal("POST", path, { allowedRoutes: ["openai"] })).toBeNull();
      expect(await refusal("POST", path, { allowedRoutes: ["runtime"] })).toBeNull();
      expect(await refusal("POST", path, { allowedRoutes: ["inference"] })).toMatch(/operation Create(ChatCompletion|Response) \(route group openai\)/);
      expect(await refusal("POST", path, { allowedRoutes: ["anthropic"] })).toContain("route group openai");
    }
    expect(await refusal("POST", "/anthropic/v1/messages", { allowedRoutes: ["anthropic"] })).toBeNull();
    expect(await refusal("POST", "/anthropic/v1/messages", { allowedRoutes: ["runtime"] })).toBeNull();
    expect(await refusal("POST", "/anthropic/v1/messages", { allowedRoutes: ["inference"] })).toContain("operation CreateMessage (route group anthropic)");
    expect(await refusal("POST", "/anthropic/v1/messages", { allowedRoutes: ["openai"] })).toContain("operation CreateMessage");
    expect(await refusal("POST", "/model/m/converse", { allowedRoutes: ["openai", "anthropic"] })).toContain("operation Converse");
  });
});
