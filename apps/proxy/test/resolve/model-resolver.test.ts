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
        inferenceProfiles: {
          "eu-only": ["eu-west-1", "eu-central-1"].map((r) => `arn:aws:bedrock:${r}::foundation-model/amazon.nova-lite-v1:0`),
          // How a global profile may list "any commercial region": a foundation-model ARN without a region.
          "regionless": ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "arn:aws:bedrock:::foundation-model/amazon.nova-lite-v1:0"],
        },
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

  it("a profile's reach for data residency: its destination regions, or any region for a global one; pricing shares the lookup", async () => {
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    const r = resolver();
    expect(await r.profileReach("us.anthropic.claude-3-haiku-20240307-v1:0", "us-west-2")).toEqual({ regions: ["us-east-1", "us-east-2", "us-west-2"] });
    // Asked in the call's region for an id, in the ARN's region for an ARN.
    expect(emulator.controlPlaneRequests.at(-1)).toMatchObject({ operation: "GetInferenceProfile", verified: true, signingRegion: "us-west-2" });
    expect(await r.profileReach("arn:aws:bedrock:eu-west-3:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0", "us-east-1")).toEqual({ regions: ["eu-central-1", "eu-west-1", "eu-west-3"] });
    expect(emulator.controlPlaneRequests.at(-1)).toMatchObject({ signingRegion: "eu-west-3" });
    expect(await r.profileReach(arn("eu-only", "eu-west-1"), "us-east-1")).toEqual({ regions: ["eu-west-1", "eu-central-1"] });
    expect(await r.profileReach(arn("emulator-haiku"), "us-east-1")).toEqual({ regions: ["us-east-1"] });
    for (const global of [`global.${SONNET}`, arn("emulator-sonnet-global"), arn("regionless")]) expect([global, await r.profileReach(global, "us-east-1")]).toEqual([global, { regions: "any" }]);
    const asked = emulator.controlPlaneRequests.length;
    expect(await r.inferenceProfile(arn("emulator-haiku"))).toEqual({ model: "anthropic.claude-3-haiku-20240307-v1:0" });
    expect(emulator.controlPlaneRequests.length).toBe(asked);
    expect(await r.profileReach("us.acme.nothing-v1:0", "us-east-1")).toMatchObject({ error: expect.stringMatching(/404 ResourceNotFoundException/), unavailable: false });
    const down = modelResolver({ client: controlPlaneClient({ credentials: async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }), endpoints: { bedrock: "http://127.0.0.1:9", bedrockAgent: null } }) });
    expect(await down.profileReach(`us.${SONNET}`, "us-east-1")).toMatchObject({ unavailable: true });
    warn.mockRestore();
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

  it("an agent's foundation model as the agent names it (data residency checks a profile by its own id or ARN), from the same cached lookup", async () => {
    const r = resolver();
    expect(await r.agentFoundationModel("ONPROFILE", "LIVE", "us-east-1")).toEqual({ model: arn("emulator-sonnet-global") });
    expect(await r.agentFoundationModel("EMULATORAG", "EMULATORV2", "us-east-1")).toEqual({ model: `us.${SONNET}` });
    const asked = emulator.controlPlaneRequests.length;
    await r.agentModel("EMULATORAG", "EMULATORV2", "us-east-1");
    expect(emulator.controlPlaneRequests.length).toBe(asked);
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    const missing = await r.agentFoundationModel("NOSUCHAGENT", "LIVE", "us-east-1");
    expect(missing).toEqual({ error: expect.stringMatching(/404 ResourceNotFoundException/), unavailable: false });
    const unreachable = modelResolver({ client: controlPlaneClient({ credentials: async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }), endpoints: { bedrock: emulator.url, bedrockAgent: "http://127.0.0.1:9" } }) });
    expect(await unreachable.agentFoundationModel("EMULATORAG", "EMULATORV2", "us-east-1")).toMatchObject({ unavailable: true });
    warn.mockRestore();
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
