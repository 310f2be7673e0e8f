import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { log } from "../../src/log.ts";
import { controlPlaneClient } from "../../src/resolve/control-plane.ts";
import { modelResolver } from "../../src/resolve/model-resolver.ts";

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const arn = (id: string, region = "us-east-1") => `arn:aws:bedrock:${region}:123456789012:application-inference-profile/${id}`;

describe("model resolver against the emulator's control planes (signed with the gateway's credentials)", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      controlPlane: {
        inferenceProfiles: { "eu-only": ["eu-west-1", "eu-central-1"].map((r) => `arn:aws:bedrock:${r}::foundation-model/amazon.nova-lite-v1:0`) },
        agents: { ONPROFILE: { foundationModel: arn("emulator-sonnet-global"), aliases: { LIVE: "DRAFT" } } },
      },
    });
  });
  afterAll(() => emulator?.close());
  const resolver = (secretAccessKey = EMULATOR_SECRET_ACCESS_KEY) =>
    modelResolver({
      client: controlPlaneClient({ credentials: async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey }), endpoints: { bedrock: emulator.url, bedrockAgent: emulator.url } }),
    });

  it("an application profile's reach picks the price: one region, one geography, several", async () => {
    const r = resolver();
    expect(await r.inferenceProfile(arn("emulator-haiku"))).toEqual({ model: "anthropic.claude-3-haiku-20240307-v1:0" });
    expect(await r.inferenceProfile(arn("emulator-sonnet-us"))).toEqual({ model: `us.${SONNET}` });
    expect(await r.inferenceProfile(arn("eu-only", "eu-west-1"))).toEqual({ model: "eu.amazon.nova-lite-v1:0" });
    // Asked in the profile's own region.
    expect(emulator.controlPlaneRequests.at(-1)).toMatchObject({ operation: "GetInferenceProfile", verified: true, signingRegion: "eu-west-1" });
    expect(await r.inferenceProfile(arn("emulator-sonnet-global"))).toEqual({ model: `global.${SONNET}` });
  });

  it("caches answers: a second lookup asks nothing", async () => {
    const r = resolver();
    await r.inferenceProfile(arn("emulator-haiku"));
    const asked = emulator.controlPlaneRequests.length;
    await Promise.all([r.inferenceProfile(arn("emulator-haiku")), r.inferenceProfile(arn("emulator-haiku"))]);
    expect(emulator.controlPlaneRequests.length).toBe(asked);
  });

  it("agent alias → version → model; the draft via GetAgent; an agent on an application profile", async () => {
    const r = resolver();
    expect(await r.agentModel("EMULATORAG", "EMULATORV2", "us-east-1")).toEqual({ model: `us.${SONNET}` });
    expect(await r.agentModel("EMULATORAG", "TSTALIASID", "us-east-1")).toEqual({ model: "anthropic.claude-3-haiku-20240307-v1:0" });
    expect(await r.agentModel("ONPROFILE", "LIVE", "us-east-1")).toEqual({ model: `global.${SONNET}` });
    const ops = emulator.controlPlaneRequests.map((q) => q.operation);
    expect(ops).toEqual(expect.arrayContaining(["GetAgentAlias", "GetAgentVersion", "GetAgent"]));
  });

  it("a refusal is an error with AWS's reason, remembered and logged once", async () => {
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    const r = resolver();
    const first = await r.inferenceProfile(arn("missing"));
    expect("error" in first && first.error).toMatch(/404 ResourceNotFoundException Inference profile .*missing not found/);
    const asked = emulator.controlPlaneRequests.length;
    expect(await r.inferenceProfile(arn("missing"))).toEqual(first);
    expect(emulator.controlPlaneRequests.length).toBe(asked);
    expect(warn).toHaveBeenCalledTimes(1);
    const unsigned = await resolver("wrong-secret").agentModel("EMULATORAG", "TSTALIASID", "us-east-1");
    expect("error" in unsigned && unsigned.error).toMatch(/403 InvalidSignatureException/);
    warn.mockRestore();
  });
});
