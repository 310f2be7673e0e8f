import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccessDeniedException, ConverseCommand, StartAsyncInvokeCommand } from "@aws-sdk/client-bedrock-runtime";
import {
  AccessDeniedException as AgentAccessDenied,
  InvokeAgentCommand,
  InvokeInlineAgentCommand,
  RetrieveAndGenerateCommand,
  RetrieveAndGenerateStreamCommand,
  type RetrieveAndGenerateConfiguration,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { PROFILE_DESTINATIONS, startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { accessLogLine } from "../support/access-log.ts";
import { agentClient, emulatorEnv, runtimeClient } from "../support/fixture.ts";
import { proxyRuntime, startGateway, type GatewayProcess } from "../support/gateway-process.ts";

/**
 * Data residency through inference profiles: a key bound to regions may call a cross-region (system) or
 * application inference profile only when every region the profile routes to is allowed, as the control plane
 * (GetInferenceProfile, asked with the gateway's credentials) lists them; a global profile never, and a profile
 * whose regions cannot be learned not at all. The emulator stands for every region; its control plane lists each
 * system profile's destinations (PROFILE_DESTINATIONS).
 */
const MASTER = "sk-master-residency-e2e";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOVA = "amazon.nova-lite-v1:0";
const US = PROFILE_DESTINATIONS.us!;
const EU = PROFILE_DESTINATIONS.eu!;
const application = (id: string) => `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/${id}`;
const hello = [{ role: "user" as const, content: [{ text: "Hello" }] }];
const systemProfileArn = (id: string) => `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${id}`;
const outsideEast = (profile: string, named: string) =>
  `Data residency: inference profile ${profile} (${named}) may route to us-east-2, us-west-2, outside this gateway key's allowed_regions (us-east-1). ` +
  "Call the model in an allowed region, or a profile whose regions are all allowed.";

describe(`data residency through inference profiles (${proxyRuntime})`, () => {
  let emulator: RunningEmulator;
  let gateway: GatewayProcess;
  /** The same, but its control plane cannot be reached. */
  let blind: GatewayProcess;
  const keys: Record<string, string> = {};

  const admin = async (on: GatewayProcess, path: string, body: unknown) => {
    const res = await fetch(on.url + path, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as any;
  };
  const converse = async (model: string, key: string, on = gateway) => {
    const res = await fetch(`${on.url}/bedrock/model/${encodeURIComponent(model)}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: hello }),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get("x-amzn-errortype"), region: res.headers.get("x-gateway-region"), message: text.startsWith("{") ? (JSON.parse(text).message as string | undefined) : undefined };
  };
  const lookups = () => emulator.controlPlaneRequests.filter((r) => r.operation === "GetInferenceProfile");
  const modelCalls = () => emulator.requests.filter((r) => r.operation === "Converse");
  const served = (operation: string) => emulator.requests.filter((r) => r.operation === operation);
  const startAsync = (key: string, modelId: string, on = gateway) =>
    runtimeClient(on.url + "/bedrock", key).send(new StartAsyncInvokeCommand({ modelId, modelInput: { taskType: "TEXT_VIDEO" }, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://residency-bucket/" } } }));
  const agents = (key: string, on = gateway) => agentClient(on.url + "/bedrock", key);
  const drain = async (events: AsyncIterable<unknown> | undefined) => {
    let n = 0;
    for await (const _ of events ?? []) n++;
    return n;
  };

  beforeAll(async () => {
    // An agent running on an application inference profile copied from the `us.` profile (three US regions).
    emulator = await startEmulator({ port: 0, controlPlane: { agents: { ONUSPROFILE: { foundationModel: application("emulator-sonnet-us"), aliases: { LIVE: "DRAFT" } } } } });
    const failover = {
      routes: [{ model: NOVA, regions: ["us-east-1", { region: "us-west-2", model: `us.${NOVA}` }] }],
      backoff_base_ms: 0,
    };
    const env = { ...emulatorEnv(emulator), MASTER_KEY: MASTER, GATEWAY_FAILOVER: JSON.stringify(failover) };
    [gateway, blind] = await Promise.all([startGateway(env), startGateway({ ...env, AWS_ENDPOINT_URL_BEDROCK: "http://127.0.0.1:9", AWS_ENDPOINT_URL_BEDROCK_AGENT: "http://127.0.0.1:9" })]);
    await admin(gateway, "/team/new", { team_id: "east-team", allowed_regions: ["us-east-1"] });
    const issue = async (name: string, body: Record<string, unknown>, on = gateway) => void (keys[name] = (await admin(on, "/key/generate", { key_alias: name, ...body })).key);
    await Promise.all([
      issue("anywhere", {}),
      issue("us", { allowed_regions: US }),
      issue("east", { allowed_regions: ["us-east-1"] }),
      issue("eastTeam", { team_id: "east-team" }),
      issue("eu", { allowed_regions: EU }),
      issue("world", { allowed_regions: PROFILE_DESTINATIONS.global! }),
      issue("eastWest", { allowed_regions: ["us-east-1", "us-west-2"] }),
      issue("blindUs", { allowed_regions: US }, blind),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([gateway?.stop(), blind?.stop()]);
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  it("a profile whose every region is allowed is served, its regions learned once from GetInferenceProfile in the call's region", async () => {
    const out = await runtimeClient(gateway.url + "/bedrock", keys.us!).send(new ConverseCommand({ modelId: `us.${HAIKU}`, messages: hello }));
    expect(out.output?.message?.content?.[0]?.text).toBeTruthy();
    expect(lookups().map((r) => [r.rawPath, r.signingRegion, r.verified])).toEqual([[`/inference-profiles/${encodeURIComponent(`us.${HAIKU}`)}`, "us-east-1", true]]);
    // Cached: the next call asks nothing.
    expect((await converse(`us.${HAIKU}`, keys.us!)).status).toBe(200);
    expect(lookups()).toHaveLength(1);
    // An application profile copied from the `us.` profile (three US regions), by its ARN.
    expect((await converse(application("emulator-sonnet-us"), keys.us!)).status).toBe(200);

    // An EU-bound key: the gateway's default region (us-east-1) is not its own, so the call, and the lookup, go to eu-central-1.
    const eu = await converse(`eu.${HAIKU}`, keys.eu!);
    expect([eu.status, eu.region]).toEqual([200, EU[0]]);
    expect(lookups().at(-1)).toMatchObject({ signingRegion: EU[0], verified: true });
    expect(modelCalls().at(-1)!.signingRegion).toBe(EU[0]);
  });

  it("a profile that may route outside the key's regions is refused before Bedrock, naming the profile and those regions", async () => {
    const error = await runtimeClient(gateway.url + "/bedrock", keys.east!).send(new ConverseCommand({ modelId: `us.${HAIKU}`, messages: hello })).catch((e) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `Data residency: inference profile us.${HAIKU} may route to us-east-2, us-west-2, outside this gateway key's allowed_regions (us-east-1). ` +
        "Call the model in an allowed region, or a profile whose regions are all allowed.",
    );
    // The key's team bounds it the same way.
    const byTeam = await converse(`us.${HAIKU}`, keys.eastTeam!);
    expect([byTeam.status, byTeam.type, byTeam.message]).toEqual([403, "AccessDeniedException", expect.stringContaining("may route to us-east-2, us-west-2, outside")]);
    // Application profiles alike: three regions refused, one region (us-east-1) served.
    const copied = await converse(application("emulator-sonnet-us"), keys.east!);
    expect([copied.status, copied.message]).toEqual([403, expect.stringContaining(`inference profile ${application("emulator-sonnet-us")} may route to us-east-2, us-west-2`)]);
    expect((await converse(application("emulator-haiku"), keys.east!)).status).toBe(200);
    // The model itself, in the key's region, is fine.
    expect((await converse(HAIKU, keys.east!)).status).toBe(200);
    expect(modelCalls().map((r) => decodeURIComponent(r.rawPath.split("/")[2]!))).toEqual([application("emulator-haiku"), HAIKU]);
  });

  it("a global profile is refused whatever the key's list (it may route to any commercial region); a key without allowed_regions calls any profile", async () => {
    for (const model of [`global.${SONNET}`, application("emulator-sonnet-global")]) {
      const refused = await converse(model, keys.world!);
      expect([model, refused.status, refused.message]).toEqual([model, 403, expect.stringContaining(`inference profile ${model} may route to any region (a global profile), outside`)]);
    }
    expect(modelCalls()).toHaveLength(0);
    emulator.reset();
    expect((await converse(`global.${SONNET}`, keys.anywhere!)).status).toBe(200);
    expect(lookups()).toHaveLength(0);
  });

  it("when the profile's regions cannot be learned the call is refused (fails closed): no such profile, or no control plane", async () => {
    const unknown = await converse(`us.acme.unknown-model-v1:0`, keys.us!);
    expect([unknown.status, unknown.type]).toEqual([403, "AccessDeniedException"]);
    expect(unknown.message).toMatch(/^Data residency: the regions inference profile us\.acme\.unknown-model-v1:0 may route to could not be learned from Bedrock \(GetInferenceProfile in us-east-1: .*404 ResourceNotFoundException.*\), and this gateway key may only reach us-east-1, us-east-2, us-west-2; the call is refused\.$/);

    const outage = await converse(`us.${HAIKU}`, keys.blindUs!, blind);
    expect([outage.status, outage.type]).toEqual([503, "ServiceUnavailableException"]);
    expect(outage.message).toContain(`the regions inference profile us.${HAIKU} may route to could not be learned`);
    // The OpenAI-compatible API names its model in the body: checked alike, answered in OpenAI's shape.
    const chat = await fetch(`${gateway.url}/bedrock/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.east}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "us.openai.gpt-oss-20b-1:0", messages: [{ role: "user", content: "hi" }] }),
    });
    expect([chat.status, await chat.json()]).toEqual([403, { error: expect.objectContaining({ code: "AccessDeniedException", message: expect.stringContaining("inference profile us.openai.gpt-oss-20b-1:0 may route to could not be learned") }) }]);
    // The Anthropic Messages API likewise, in Anthropic's shape.
    const messages = await fetch(`${gateway.url}/bedrock/anthropic/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.east}`, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: `us.${HAIKU}`, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });
    expect([messages.status, await messages.json()]).toEqual([403, { type: "error", error: { type: "permission_error", message: expect.stringContaining(`inference profile us.${HAIKU} may route to us-east-2, us-west-2, outside`) } }]);
    // A foundation model needs no lookup.
    expect((await converse(HAIKU, keys.blindUs!, blind)).status).toBe(200);
    expect(modelCalls().map((r) => decodeURIComponent(r.rawPath.split("/")[2]!))).toEqual([HAIKU]);
  });

  it("failover never hands a call to a profile that may route outside the key's regions", async () => {
    emulator.faults.set([{ region: "us-east-1", model: NOVA, error: "ThrottlingException" }]);
    // us.amazon.nova-lite routes to us-east-2 too: not for a key bound to us-east-1 and us-west-2, which gets the 429.
    const kept = await converse(NOVA, keys.eastWest!);
    expect([kept.status, kept.type, kept.region]).toEqual([429, "ThrottlingException", "us-east-1"]);
    expect(modelCalls().map((r) => [r.signingRegion, decodeURIComponent(r.rawPath.split("/")[2]!)])).toEqual([["us-east-1", NOVA]]);
    // A key that may use every US region is served by the profile in us-west-2.
    const served = await converse(NOVA, keys.us!);
    expect([served.status, served.region]).toEqual([200, "us-west-2"]);
    expect(modelCalls().at(-1)).toMatchObject({ signingRegion: "us-west-2", rawPath: `/model/${encodeURIComponent(`us.${NOVA}`)}/converse` });
    const line = await accessLogLine(gateway, (l) => l.key_alias === "eastWest" && l.status === 429);
    expect(line.attempts).toEqual([
      { region: "us-east-1", status: 429, error: "ThrottlingException", ms: expect.any(Number) },
      { region: "us-west-2", model: `us.${NOVA}`, status: null, error: "outside allowed_regions", ms: 0 },
    ]);
  });

  it("StartAsyncInvoke: the body's modelId is checked like a model in the path (a key without allowed_regions: nothing looked up)", async () => {
    const refused = await startAsync(keys.east!, `us.${NOVA}`).catch((e) => e);
    expect(refused).toBeInstanceOf(AccessDeniedException);
    expect(refused.message).toBe(outsideEast(`us.${NOVA}`, "body field modelId"));
    expect(served("StartAsyncInvoke")).toHaveLength(0);
    // Every region of the profile allowed; the model itself in the key's region.
    expect((await startAsync(keys.us!, `us.${NOVA}`)).invocationArn).toMatch(/^arn:aws:bedrock:us-east-1:/);
    expect((await startAsync(keys.east!, NOVA)).invocationArn).toBeTruthy();
    // Fails closed: a profile Bedrock does not know, a control plane that cannot be reached.
    const unknown = await startAsync(keys.east!, "us.acme.unknown-model-v1:0").catch((e) => e);
    expect([unknown.name, unknown.message]).toEqual(["AccessDeniedException", expect.stringContaining("inference profile us.acme.unknown-model-v1:0 (body field modelId) may route to could not be learned")]);
    const outage = await startAsync(keys.blindUs!, `us.${NOVA}`, blind).catch((e) => e);
    expect([outage.name, outage.$metadata.httpStatusCode]).toEqual(["ServiceUnavailableException", 503]);
    expect(served("StartAsyncInvoke")).toHaveLength(2);

    // A body that is not JSON is Bedrock's to answer.
    const garbled = await fetch(`${gateway.url}/bedrock/async-invoke`, { method: "POST", headers: { authorization: `Bearer ${keys.east}`, "content-type": "application/json" }, body: "{not json" });
    expect(garbled.headers.get("x-gateway-region")).toBe("us-east-1");
    expect(served("StartAsyncInvoke")).toHaveLength(3);

    emulator.reset();
    expect((await startAsync(keys.anywhere!, `global.${SONNET}`)).invocationArn).toBeTruthy();
    expect(lookups()).toHaveLength(0);
  });

  it("RetrieveAndGenerate and its stream: every model ARN in the body (generation, external sources, reranking)", async () => {
    const onKb = (modelArn: string, more: Partial<RetrieveAndGenerateConfiguration> = {}): RetrieveAndGenerateConfiguration => ({
      type: "KNOWLEDGE_BASE",
      knowledgeBaseConfiguration: { knowledgeBaseId: "KB12345678", modelArn },
      ...more,
    });
    const generate = (key: string, config: RetrieveAndGenerateConfiguration) => agents(key).send(new RetrieveAndGenerateCommand({ input: { text: "summarise" }, retrieveAndGenerateConfiguration: config }));
    const profile = systemProfileArn(`us.${HAIKU}`);

    const refused = await generate(keys.east!, onKb(profile)).catch((e) => e);
    expect(refused).toBeInstanceOf(AgentAccessDenied);
    expect(refused.message).toBe(outsideEast(profile, "body field retrieveAndGenerateConfiguration.knowledgeBaseConfiguration.modelArn"));
    // Over external sources, streamed.
    const external = await agents(keys.east!)
      .send(new RetrieveAndGenerateStreamCommand({ input: { text: "summarise" }, retrieveAndGenerateConfiguration: { type: "EXTERNAL_SOURCES", externalSourcesConfiguration: { modelArn: `us.${HAIKU}`, sources: [{ sourceType: "S3", s3Location: { uri: "s3://docs/a.pdf" } }] } } }))
      .catch((e) => e);
    expect([external.name, external.message]).toEqual(["AccessDeniedException", outsideEast(`us.${HAIKU}`, "body field retrieveAndGenerateConfiguration.externalSourcesConfiguration.modelArn")]);
    // A reranking model in another region (a model ARN names its region).
    const reranker = "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0";
    expect((await generate(keys.east!, onKb(`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`))).output?.text).toBeTruthy();
    const rerankOn = (modelArn: string) => ({ vectorSearchConfiguration: { rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL" as const, bedrockRerankingConfiguration: { modelConfiguration: { modelArn } } } } });
    const reranked = await generate(keys.east!, { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseId: "KB12345678", modelArn: HAIKU, retrievalConfiguration: rerankOn(reranker) } }).catch((e) => e);
    expect([reranked.name, reranked.message]).toEqual([
      "AccessDeniedException",
      `Data residency: model ${reranker} (body field retrieveAndGenerateConfiguration.knowledgeBaseConfiguration.retrievalConfiguration.vectorSearchConfiguration.rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn) is in us-west-2, outside this gateway key's allowed_regions (us-east-1).`,
    ]);
    expect(served("RetrieveAndGenerate")).toHaveLength(1);

    // A key that may use every US region is served, streamed or not.
    expect((await generate(keys.us!, onKb(profile))).output?.text).toBeTruthy();
    expect((await generate(keys.eastWest!, { ...onKb(HAIKU), knowledgeBaseConfiguration: { knowledgeBaseId: "KB12345678", modelArn: HAIKU, retrievalConfiguration: rerankOn(reranker) } })).output?.text).toBeTruthy();
    const stream = await agents(keys.us!).send(new RetrieveAndGenerateStreamCommand({ input: { text: "summarise" }, retrieveAndGenerateConfiguration: onKb(profile) }));
    expect(await drain(stream.stream)).toBeGreaterThan(0);
    expect([served("RetrieveAndGenerate").length, served("RetrieveAndGenerateStream").length]).toEqual([3, 1]);
    emulator.reset();
    expect((await generate(keys.anywhere!, onKb(systemProfileArn(`global.${SONNET}`)))).output?.text).toBeTruthy();
    expect(await drain((await agents(keys.anywhere!).send(new InvokeInlineAgentCommand({ sessionId: "s", inputText: "Hi", instruction: "Answer in one short sentence.", foundationModel: `global.${SONNET}` }))).completion)).toBeGreaterThan(0);
    expect(lookups()).toHaveLength(0);
  });

  it("InvokeInlineAgent: its foundationModel and its collaborators'", async () => {
    const inline = (key: string, foundationModel: string, collaborators?: string[]) =>
      agents(key).send(
        new InvokeInlineAgentCommand({
          sessionId: "residency-1",
          inputText: "Hello",
          instruction: "You answer questions about data residency, briefly.",
          foundationModel,
          ...(collaborators && { agentCollaboration: "SUPERVISOR", collaborators: collaborators.map((m) => ({ foundationModel: m, instruction: "You help the supervisor, briefly.", agentName: "helper" })) }),
        }),
      );
    const refused = await inline(keys.east!, `us.${HAIKU}`).catch((e) => e);
    expect([refused.name, refused.message]).toEqual(["AccessDeniedException", outsideEast(`us.${HAIKU}`, "body field foundationModel")]);
    const collaborator = await inline(keys.east!, HAIKU, [HAIKU, `us.${NOVA}`]).catch((e) => e);
    expect([collaborator.name, collaborator.message]).toEqual(["AccessDeniedException", outsideEast(`us.${NOVA}`, "body field collaborators[1].foundationModel")]);
    expect(served("InvokeInlineAgent")).toHaveLength(0);
    expect(await drain((await inline(keys.us!, `us.${HAIKU}`, [`us.${NOVA}`])).completion)).toBeGreaterThan(0);
    expect(await drain((await inline(keys.east!, HAIKU)).completion)).toBeGreaterThan(0);
    expect(served("InvokeInlineAgent")).toHaveLength(2);
  });

  it("InvokeAgent: the agent alias's foundation model, learned from the agent control plane (fails closed)", async () => {
    const invoke = (key: string, agentId: string, agentAliasId: string, on = gateway) =>
      agents(key, on).send(new InvokeAgentCommand({ agentId, agentAliasId, sessionId: "residency-1", inputText: "Hello" }));
    // Version 2 of EMULATORAG runs us.<Sonnet 4.5>; its draft runs Claude 3 Haiku.
    const refused = await invoke(keys.east!, "EMULATORAG", "EMULATORV2").catch((e) => e);
    expect([refused.name, refused.message]).toEqual(["AccessDeniedException", outsideEast(`us.${SONNET}`, "the foundation model of agent EMULATORAG alias EMULATORV2")]);
    const onProfile = await invoke(keys.eastTeam!, "ONUSPROFILE", "LIVE").catch((e) => e);
    expect([onProfile.name, onProfile.message]).toEqual(["AccessDeniedException", outsideEast(application("emulator-sonnet-us"), "the foundation model of agent ONUSPROFILE alias LIVE")]);
    expect(served("InvokeAgent")).toHaveLength(0);
    expect(await drain((await invoke(keys.east!, "EMULATORAG", "TSTALIASID")).completion)).toBeGreaterThan(0);
    expect(await drain((await invoke(keys.us!, "EMULATORAG", "EMULATORV2")).completion)).toBeGreaterThan(0);
    expect(served("InvokeAgent")).toHaveLength(2);

    const unknown = await invoke(keys.east!, "NOSUCHAGNT", "LIVE").catch((e) => e);
    expect([unknown.name, unknown.message]).toEqual(["AccessDeniedException", expect.stringMatching(/^Data residency: the foundation model of agent NOSUCHAGNT alias LIVE could not be learned from Bedrock \(GetAgentAlias in us-east-1: .*404 ResourceNotFoundException.*\), and this gateway key may only reach us-east-1; the call is refused\.$/)]);
    const outage = await invoke(keys.blindUs!, "EMULATORAG", "TSTALIASID", blind).catch((e) => e);
    expect([outage.name, outage.$metadata.httpStatusCode]).toEqual(["ServiceUnavailableException", 503]);
    expect(served("InvokeAgent")).toHaveLength(2);
  });
});
