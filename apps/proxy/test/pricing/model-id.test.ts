import { describe, expect, it } from "vitest";
import { resolveModelId, stripProfilePrefix } from "../../src/pricing/model-id.ts";

const BASE = "anthropic.claude-3-5-sonnet-20240620-v1:0";

describe("resolveModelId", () => {
  it("keeps base ids and strips every inference-profile prefix", () => {
    expect(resolveModelId(BASE)).toEqual({ baseModelId: BASE, kind: "model-id" });
    for (const prefix of ["us", "eu", "apac", "global", "us-gov", "ca", "jp", "au"]) {
      expect(resolveModelId(`${prefix}.${BASE}`)).toEqual({ baseModelId: BASE, kind: "inference-profile", profilePrefix: prefix });
    }
  });

  it("does not strip a provider that happens to look like a prefix", () => {
    expect(stripProfilePrefix("us.")).toEqual({ id: "us." });
    expect(stripProfilePrefix("amazon.nova-pro-v1:0")).toEqual({ id: "amazon.nova-pro-v1:0" });
  });

  it("decodes percent-encoded path labels", () => {
    expect(resolveModelId("cohere.command-r-v1%3A0").baseModelId).toBe("cohere.command-r-v1:0");
    expect(resolveModelId("arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.nova-lite-v1%3A0").baseModelId).toBe("amazon.nova-lite-v1:0");
  });

  it("reads foundation-model and inference-profile ARNs", () => {
    expect(resolveModelId(`arn:aws:bedrock:us-east-1::foundation-model/${BASE}`)).toEqual({ baseModelId: BASE, kind: "foundation-model-arn" });
    expect(resolveModelId(`arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${BASE}`)).toEqual({ baseModelId: BASE, kind: "inference-profile-arn", profilePrefix: "eu" });
  });

  it("maps application inference profiles through the operator mapping, else unknown", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    expect(resolveModelId(arn, { [arn]: `us.${BASE}` })).toEqual({ baseModelId: BASE, kind: "application-inference-profile", profilePrefix: "us" });
    expect(resolveModelId(arn)).toMatchObject({ baseModelId: null, kind: "application-inference-profile", reason: expect.stringContaining("applicationInferenceProfiles") });
    expect(resolveModelId("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz")).toMatchObject({ baseModelId: null, kind: "unknown-arn" });
  });
});
