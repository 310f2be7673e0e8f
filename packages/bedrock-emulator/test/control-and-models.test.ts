import {
  BedrockClient,
  GetFoundationModelCommand,
  GetInferenceProfileCommand,
  GetModelInvocationJobCommand,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  ListModelInvocationJobsCommand,
  ResourceNotFoundException as BedrockNotFound,
} from "@aws-sdk/client-bedrock";
import { BedrockAgentClient, GetAgentAliasCommand, GetAgentCommand, GetAgentVersionCommand, ResourceNotFoundException } from "@aws-sdk/client-bedrock-agent";
import { ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/index.ts";
import { creds, runtimeClient } from "./helpers.ts";

let emu: RunningEmulator;
const clients = (url: string) => {
  const options = { endpoint: url, region: "us-east-1", credentials: creds, requestHandler: new NodeHttpHandler(), maxAttempts: 1 };
  return { bedrock: new BedrockClient(options), agent: new BedrockAgentClient(options), runtime: runtimeClient(url) };
};
let c: ReturnType<typeof clients>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, controlPlane: { inferenceProfiles: { "team-a": ["arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0"] } } });
  c = clients(emu.url);
});
afterAll(() => emu.close());

describe("control planes via the official SDK clients (signed and verified)", () => {
  test("GetInferenceProfile by ARN lists the models the profile routes to; options add profiles", async () => {
    const out = await c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emulator-sonnet-us" }));
    expect(out).toMatchObject({ type: "APPLICATION", status: "ACTIVE", inferenceProfileId: "emulator-sonnet-us" });
    expect(out.models?.map((m) => m.modelArn)).toEqual(["us-east-1", "us-east-2", "us-west-2"].map((r) => `arn:aws:bedrock:${r}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0`));
    const added = await c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "team-a" }));
    expect(added.models).toEqual([{ modelArn: "arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0" }]);
    await expect(c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "nope" }))).rejects.toBeInstanceOf(Error);
    expect(emu.controlPlaneRequests.filter((r) => r.operation === "GetInferenceProfile").every((r) => r.verified)).toBe(true);
  });

  test("the gateway's read-only slice: models (filters), system and application profiles (pages), batch jobs", async () => {
    const all = (await c.bedrock.send(new ListFoundationModelsCommand({}))).modelSummaries!;
    const anthropic = (await c.bedrock.send(new ListFoundationModelsCommand({ byProvider: "anthropic" }))).modelSummaries!;
    expect(anthropic.length).toBeGreaterThan(0);
    expect(anthropic).toEqual(all.filter((m) => m.providerName === "Anthropic"));
    expect((await c.bedrock.send(new ListFoundationModelsCommand({ byOutputModality: "EMBEDDING" }))).modelSummaries!.every((m) => m.outputModalities!.includes("EMBEDDING"))).toBe(true);
    const nova = await c.bedrock.send(new GetFoundationModelCommand({ modelIdentifier: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0" }));
    expect(nova.modelDetails?.modelId).toBe("amazon.nova-lite-v1:0");
    await expect(c.bedrock.send(new GetFoundationModelCommand({ modelIdentifier: "nope.model-v1:0" }))).rejects.toBeInstanceOf(BedrockNotFound);

    const first = await c.bedrock.send(new ListInferenceProfilesCommand({ maxResults: 2 }));
    expect(first.inferenceProfileSummaries).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
    const rest = await c.bedrock.send(new ListInferenceProfilesCommand({ nextToken: first.nextToken }));
    const system = [...first.inferenceProfileSummaries!, ...rest.inferenceProfileSummaries!];
    expect(system.every((p) => p.type === "SYSTEM_DEFINED")).toBe(true);
    const profile = await c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: system[0]!.inferenceProfileId }));
    expect(profile.inferenceProfileArn).toBe(system[0]!.inferenceProfileArn);
    // A system profile lists one foundation-model ARN per destination region of its geography.
    const usHaiku = await c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "us.anthropic.claude-3-haiku-20240307-v1:0" }));
    expect(usHaiku.models!.map((m) => m.modelArn)).toEqual(["us-east-1", "us-east-2", "us-west-2"].map((r) => `arn:aws:bedrock:${r}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`));
    const application = (await c.bedrock.send(new ListInferenceProfilesCommand({ typeEquals: "APPLICATION" }))).inferenceProfileSummaries!;
    expect(application.map((p) => p.inferenceProfileId)).toContain("team-a");

    const jobs = (await c.bedrock.send(new ListModelInvocationJobsCommand({}))).invocationJobSummaries!;
    expect(jobs.length).toBeGreaterThan(1);
    const job = await c.bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobs[1]!.jobArn }));
    expect(job).toMatchObject({ jobArn: jobs[1]!.jobArn, modelId: jobs[1]!.modelId });
    expect(job.submitTime).toBeInstanceOf(Date);
  });

  test("GetAgentAlias → version, GetAgentVersion / GetAgent → foundation model", async () => {
    const alias = await c.agent.send(new GetAgentAliasCommand({ agentId: "EMULATORAG", agentAliasId: "EMULATORV2" }));
    expect(alias.agentAlias?.routingConfiguration?.[0]?.agentVersion).toBe("2");
    const version = await c.agent.send(new GetAgentVersionCommand({ agentId: "EMULATORAG", agentVersion: "2" }));
    expect(version.agentVersion?.foundationModel).toBe("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    const agent = await c.agent.send(new GetAgentCommand({ agentId: "L1RT58GYRW" }));
    expect(agent.agent?.foundationModel).toBe("anthropic.claude-3-haiku-20240307-v1:0");
    await expect(c.agent.send(new GetAgentAliasCommand({ agentId: "EMULATORAG", agentAliasId: "NOPE" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test("a wrong signature is refused on the control planes too", async () => {
    const bad = new BedrockClient({ endpoint: emu.url, region: "us-east-1", credentials: { ...creds, secretAccessKey: "wrong" }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    await expect(bad.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "team-a" }))).rejects.toMatchObject({ name: "InvalidSignatureException" });
  });
});

describe("models with their real response shapes", () => {
  const tools = { tools: [{ toolSpec: { name: "get_weather", description: "Weather", inputSchema: { json: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] } } } }] };
  const messages = [{ role: "user" as const, content: [{ text: "Weather in Paris?" }] }];

  test("Converse with tools answers with a toolUse block and stopReason tool_use; a toolResult ends the turn", async () => {
    const out = await c.runtime.send(new ConverseCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", messages, toolConfig: tools }));
    expect(out.stopReason).toBe("tool_use");
    const use = out.output?.message?.content?.find((b) => b.toolUse)?.toolUse;
    expect(use).toMatchObject({ name: "get_weather", input: { city: "emulator" } });
    const next = await c.runtime.send(
      new ConverseCommand({
        modelId: "anthropic.claude-3-haiku-20240307-v1:0",
        toolConfig: tools,
        messages: [...messages, out.output!.message!, { role: "user", content: [{ toolResult: { toolUseId: use!.toolUseId!, content: [{ text: "sunny" }] } }] }],
      }),
    );
    expect(next.stopReason).toBe("end_turn");
  });

  test("ConverseStream with tools streams the toolUse start and its input as JSON", async () => {
    const out = await c.runtime.send(new ConverseStreamCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", messages, toolConfig: { ...tools, toolChoice: { tool: { name: "get_weather" } } } }));
    let name = "";
    let input = "";
    let stop = "";
    for await (const ev of out.stream!) {
      name ||= ev.contentBlockStart?.start?.toolUse?.name ?? "";
      input += ev.contentBlockDelta?.delta?.toolUse?.input ?? "";
      stop ||= ev.messageStop?.stopReason ?? "";
    }
    expect({ name, input: JSON.parse(input), stop }).toEqual({ name: "get_weather", input: { city: "emulator" }, stop: "tool_use" });
  });

  test("Titan and Cohere embeddings: real bodies and token counts", async () => {
    const titan = await c.runtime.send(new InvokeModelCommand({ modelId: "amazon.titan-embed-text-v2:0", body: JSON.stringify({ inputText: "three word text", dimensions: 256 }) }));
    const t = JSON.parse(new TextDecoder().decode(titan.body));
    expect(t.embedding).toHaveLength(256);
    expect(t.inputTextTokenCount).toBe(3);
    const cohere = await c.runtime.send(new InvokeModelCommand({ modelId: "cohere.embed-english-v3", body: JSON.stringify({ texts: ["a b", "c"], input_type: "search_document" }) }));
    const k = JSON.parse(new TextDecoder().decode(cohere.body));
    expect(k).toMatchObject({ response_type: "embeddings_floats", texts: ["a b", "c"] });
    expect(k.embeddings).toHaveLength(2);
    expect(k.embeddings[0]).toHaveLength(1024);
  });

  test("multimodal embeddings: Titan with an image, Cohere Embed v4 by type, Nova Multimodal Embeddings", async () => {
    const titan = await c.runtime.send(new InvokeModelCommand({ modelId: "amazon.titan-embed-image-v1", body: JSON.stringify({ inputText: "a red shoe", inputImage: "iVBORw0KGgo=", embeddingConfig: { outputEmbeddingLength: 384 } }) }));
    expect(JSON.parse(new TextDecoder().decode(titan.body))).toMatchObject({ embedding: expect.any(Array), inputTextTokenCount: 3 });
    const v4 = await c.runtime.send(new InvokeModelCommand({ modelId: "cohere.embed-v4:0", body: JSON.stringify({ input_type: "search_document", texts: ["one two"], output_dimension: 256 }) }));
    const k = JSON.parse(new TextDecoder().decode(v4.body));
    expect(k).toMatchObject({ response_type: "embeddings_by_type", texts: ["one two"] });
    expect(k.embeddings.float[0]).toHaveLength(256);
    const nova = await c.runtime.send(
      new InvokeModelCommand({ modelId: "amazon.nova-2-multimodal-embeddings-v1:0", body: JSON.stringify({ taskType: "SINGLE_EMBEDDING", singleEmbeddingParams: { embeddingPurpose: "GENERIC_INDEX", embeddingDimension: 1024, text: { truncationMode: "END", value: "three word text" } } }) }),
    );
    const n = JSON.parse(new TextDecoder().decode(nova.body));
    expect(n.embeddings).toHaveLength(1);
    expect(n.embeddings[0]).toMatchObject({ embeddingType: "TEXT" });
    expect(n.embeddings[0].embedding).toHaveLength(1024);
  });

  test("image models answer base64 PNGs of the size asked: Nova Canvas, Titan Image Generator v2, Stability", async () => {
    const size = (png: string) => {
      const bytes = Uint8Array.from(atob(png), (ch) => ch.charCodeAt(0));
      const view = new DataView(bytes.buffer);
      return { signature: new TextDecoder().decode(bytes.subarray(1, 4)), width: view.getUint32(16), height: view.getUint32(20), bytes: bytes.length };
    };
    const canvas = await c.runtime.send(
      new InvokeModelCommand({ modelId: "amazon.nova-canvas-v1:0", body: JSON.stringify({ taskType: "TEXT_IMAGE", textToImageParams: { text: "a cat" }, imageGenerationConfig: { numberOfImages: 2, width: 1280, height: 720, quality: "premium" } }) }),
    );
    const n = JSON.parse(new TextDecoder().decode(canvas.body));
    expect(n.images).toHaveLength(2);
    expect(size(n.images[0])).toMatchObject({ signature: "PNG", width: 1280, height: 720 });
    const titan = JSON.parse(new TextDecoder().decode((await c.runtime.send(new InvokeModelCommand({ modelId: "amazon.titan-image-generator-v2:0", body: JSON.stringify({ taskType: "TEXT_IMAGE", textToImageParams: { text: "a cat" } }) }))).body));
    expect(titan).toMatchObject({ images: [expect.any(String)], error: null });
    expect(size(titan.images[0])).toMatchObject({ width: 1024, height: 1024 });
    const sd = JSON.parse(new TextDecoder().decode((await c.runtime.send(new InvokeModelCommand({ modelId: "stability.sd3-5-large-v1:0", body: JSON.stringify({ prompt: "a cat", aspect_ratio: "16:9" }) }))).body));
    expect(sd).toMatchObject({ seeds: [42], finish_reasons: [null], images: [expect.any(String)] });
    expect(size(sd.images[0])).toMatchObject({ width: 1344, height: 768 });
    await expect(c.runtime.send(new InvokeModelCommand({ modelId: "amazon.nova-canvas-v1:0", body: JSON.stringify({ taskType: "TEXT_IMAGE", imageGenerationConfig: { numberOfImages: 6 } }) }))).rejects.toThrow(/numberOfImages must be an integer from 1 to 5/);
  });
});
