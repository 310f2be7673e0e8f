import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { log } from "../../src/log.ts";
import { controlPlaneClient, type ControlPlaneClient } from "../../src/resolve/control-plane.ts";
import { modelResolver, type ModelResolverOptions } from "../../src/resolve/model-resolver.ts";

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
  const client = (secretAccessKey = EMULATOR_SECRET_ACCESS_KEY, url = emulator.url) =>
    controlPlaneClient({ credentials: async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey }), endpoints: { bedrock: url, bedrockAgent: url } });
  const resolver = (secretAccessKey = EMULATOR_SECRET_ACCESS_KEY, options: Partial<ModelResolverOptions> = {}) => modelResolver({ client: client(secretAccessKey), ...options });
  /** A clock the test moves: TTLs pass without waiting. */
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };
  const asked = (operation = "GetInferenceProfile") => emulator.controlPlaneRequests.filter((r) => r.operation === operation).length;
  const fixtures = () => emulator.options.controlPlane!.inferenceProfiles!;
  const fm = (model: string, region = "us-east-1") => `arn:aws:bedrock:${region}::foundation-model/${model}`;

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

  it("keeps at most maxEntries keys: the oldest is asked again, the newest is not", async () => {
    const r = resolver(undefined, { maxEntries: 2 });
    for (const id of ["emulator-haiku", "emulator-sonnet-us", "emulator-sonnet-global"]) await r.inferenceProfile(arn(id));
    const before = asked();
    expect(await r.inferenceProfile(arn("emulator-sonnet-global"))).toEqual({ model: `global.${SONNET}` });
    expect(asked()).toBe(before);
    expect(await r.inferenceProfile(arn("emulator-haiku"))).toEqual({ model: "anthropic.claude-3-haiku-20240307-v1:0" });
    expect(asked()).toBe(before + 1);
  });

  it("asks again once the TTL has passed, and prices by the profile's new model", async () => {
    fixtures()["moving"] = [fm("amazon.nova-lite-v1:0")];
    const time = clock();
    const r = resolver(undefined, { ttlMs: 60_000, now: time.now });
    expect(await r.inferenceProfile(arn("moving"))).toEqual({ model: "amazon.nova-lite-v1:0" });
    fixtures()["moving"] = [fm("amazon.nova-pro-v1:0")];
    time.advance(59_000);
    const before = asked();
    expect(await r.inferenceProfile(arn("moving"))).toEqual({ model: "amazon.nova-lite-v1:0" });
    expect(asked()).toBe(before);
    time.advance(2_000);
    expect(await r.inferenceProfile(arn("moving"))).toEqual({ model: "amazon.nova-pro-v1:0" });
    expect(asked()).toBe(before + 1);
  });

  it("through a control-plane outage (503) serves the last known model, asking again only every few seconds", async () => {
    const warn = vi.spyOn(log, "warn").mockImplementation(() => {});
    const time = clock();
    const r = resolver(undefined, { ttlMs: 60_000, outageTtlMs: 5_000, now: time.now });
    expect(await r.inferenceProfile(arn("emulator-sonnet-us"))).toEqual({ model: `us.${SONNET}` });
    emulator.faults.set([{ operation: "GetInferenceProfile", error: "ServiceUnavailableException" }]);
    try {
      time.advance(61_000);
      const before = asked();
      // Stale-if-error: the refresh fails, the last known model stands.
      expect(await r.inferenceProfile(arn("emulator-sonnet-us"))).toEqual({ model: `us.${SONNET}` });
      expect(asked()).toBe(before + 1);
      // Remembered: the calls right after ask nothing and wait for nothing.
      await Promise.all([1, 2, 3].map(async () => expect(await r.inferenceProfile(arn("emulator-sonnet-us"))).toEqual({ model: `us.${SONNET}` })));
      expect(asked()).toBe(before + 1);
      time.advance(5_001);
      expect(await r.inferenceProfile(arn("emulator-sonnet-us"))).toEqual({ model: `us.${SONNET}` });
      expect(asked()).toBe(before + 2);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![1]).toMatchObject({ error: expect.stringMatching(/503 ServiceUnavailableException/) });
    } finally {
      emulator.faults.clear();
      warn.mockRestore();
    }
    // Back: the next lookup after the outage memory asks, and succeeds.
    time.advance(5_001);
    expect(await r.inferenceProfile(arn("emulator-sonnet-us"))).toEqual({ model: `us.${SONNET}` });
  });

  it("remembers an outage for an unseen profile for a few seconds: no call waits on each other's failed lookup", async () => {
    vi.spyOn(log, "warn").mockImplementation(() => {});
    const time = clock();
    const r = resolver(undefined, { outageTtlMs: 5_000, now: time.now });
    emulator.faults.set([{ operation: "GetInferenceProfile", error: "InternalServerException" }]);
    try {
      const before = asked();
      const first = await r.inferenceProfile(arn("emulator-haiku"));
      expect("error" in first && first.error).toMatch(/500 InternalServerException/);
      expect(await r.inferenceProfile(arn("emulator-haiku"))).toEqual(first);
      expect(asked()).toBe(before + 1);
      emulator.faults.clear();
      // An outage is not a refusal: once its few seconds pass, the profile is asked again (a refusal waits a minute).
      time.advance(5_001);
      expect(await r.inferenceProfile(arn("emulator-haiku"))).toEqual({ model: "anthropic.claude-3-haiku-20240307-v1:0" });
      expect(asked()).toBe(before + 2);
    } finally {
      emulator.faults.clear();
      vi.mocked(log.warn).mockRestore();
    }
  });

  it("a network failure (nothing listening) is an outage too, remembered the same way", async () => {
    vi.spyOn(log, "warn").mockImplementation(() => {});
    const time = clock();
    const dead = client(EMULATOR_SECRET_ACCESS_KEY, "http://127.0.0.1:9");
    let reads = 0;
    const counting: ControlPlaneClient = { get: (...args) => (reads++, dead.get(...args)) };
    const r = modelResolver({ client: counting, outageTtlMs: 5_000, now: time.now });
    try {
      const first = await r.inferenceProfile(arn("emulator-haiku"));
      expect("error" in first && first.error).toMatch(/bedrock GET \/inference-profiles\//);
      expect(await r.inferenceProfile(arn("emulator-haiku"))).toEqual(first);
      expect(reads).toBe(1);
      time.advance(5_001);
      await r.inferenceProfile(arn("emulator-haiku"));
      expect(reads).toBe(2);
    } finally {
      vi.mocked(log.warn).mockRestore();
    }
  });

  it("a 429 is not a refusal: asked again within a second (the last known model meanwhile), never held for a minute", async () => {
    vi.spyOn(log, "warn").mockImplementation(() => {});
    const time = clock();
    const r = resolver(undefined, { ttlMs: 60_000, throttleRetryMs: 1_000, failureTtlMs: 60_000, now: time.now });
    emulator.faults.set([{ operation: "GetInferenceProfile", error: "ThrottlingException", times: 2 }]);
    try {
      const throttled = await r.inferenceProfile(arn("emulator-sonnet-global"));
      expect("error" in throttled && throttled.error).toMatch(/429 ThrottlingException/);
      const before = asked();
      expect(await r.inferenceProfile(arn("emulator-sonnet-global"))).toEqual(throttled);
      expect(asked()).toBe(before);
      time.advance(1_001);
      // Still throttled once more, asked again after a second; then it answers.
      expect(await r.inferenceProfile(arn("emulator-sonnet-global"))).toMatchObject({ error: expect.stringMatching(/429/) });
      time.advance(1_001);
      expect(await r.inferenceProfile(arn("emulator-sonnet-global"))).toEqual({ model: `global.${SONNET}` });
      expect(asked()).toBe(before + 2);
      // With a model known, a 429 on refresh keeps it.
      emulator.faults.set([{ operation: "GetInferenceProfile", error: "ThrottlingException" }]);
      time.advance(61_000);
      expect(await r.inferenceProfile(arn("emulator-sonnet-global"))).toEqual({ model: `global.${SONNET}` });
    } finally {
      emulator.faults.clear();
      vi.mocked(log.warn).mockRestore();
    }
  });

  it("a lookup slower than answerWithinMs answers the error (or the known model) in time, and its outcome is kept for later calls", async () => {
    vi.spyOn(log, "warn").mockImplementation(() => {});
    let release!: (body: unknown) => void;
    let reads = 0;
    const slow: ControlPlaneClient = { get: () => (reads++, new Promise((resolve) => (release = resolve))) };
    const r = modelResolver({ client: slow, answerWithinMs: 20, outageTtlMs: 5_000 });
    try {
      expect(await r.inferenceProfile(arn("slow"))).toMatchObject({ error: expect.stringContaining("no answer from the control plane within 20 ms") });
      expect(await r.inferenceProfile(arn("slow"))).toMatchObject({ error: expect.stringContaining("within 20 ms") });
      expect(reads).toBe(1);
      release({ models: [{ modelArn: fm("amazon.nova-lite-v1:0") }] });
      await new Promise((resolve) => setImmediate(resolve));
      expect(await r.inferenceProfile(arn("slow"))).toEqual({ model: "amazon.nova-lite-v1:0" });
      expect(reads).toBe(1);
    } finally {
      vi.mocked(log.warn).mockRestore();
    }
  });
});
