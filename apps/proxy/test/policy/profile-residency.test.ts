import { describe, expect, it } from "vitest";
import { namesInferenceProfile, profileResidency } from "../../src/policy/profile-residency.ts";
import type { ProfileReach } from "../../src/resolve/model-resolver.ts";

describe("which model ids name an inference profile (data residency looks those up)", () => {
  it("system profile ids of any geography, and both kinds of profile ARN", () => {
    for (const id of [
      "us.anthropic.claude-3-haiku-20240307-v1:0",
      "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
      "apac.amazon.nova-lite-v1:0",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      // A geography AWS may add later is looked up too: the check fails closed.
      "sa.anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ]) expect([id, namesInferenceProfile(id)]).toEqual([id, true]);
  });

  it("not foundation models, their ARNs, or other regional resources", () => {
    for (const id of [
      "anthropic.claude-3-haiku-20240307-v1:0",
      "anthropic.claude-3-haiku-20240307-v1:0:200k",
      "mistral.mistral-7b-instruct-v0:2",
      "openai.gpt-oss-20b-1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
      "arn:aws:bedrock:us-east-1:123456789012:custom-model/a.b.c",
    ]) expect([id, namesInferenceProfile(id)]).toEqual([id, false]);
  });
});

describe("the residency check of one model", () => {
  const asked: string[] = [];
  const check = profileResidency({
    async reach(identifier): Promise<ProfileReach> {
      asked.push(identifier);
      return { regions: ["us-east-1", "us-west-2"] };
    },
  });
  const message = async (...args: Parameters<typeof check>) => (await check(...args))?.refusal.message;

  it("a model ARN of another kind must name an allowed region; no lookup", async () => {
    const fm = (region: string) => `arn:aws:bedrock:${region}::foundation-model/amazon.rerank-v1:0`;
    expect(await check(fm("us-east-1"), "us-east-1", ["us-east-1"])).toBeUndefined();
    expect(await check("arn:aws:bedrock:::foundation-model/amazon.rerank-v1:0", "us-east-1", ["us-east-1"])).toBeUndefined();
    expect(await message(fm("eu-west-1"), "us-east-1", ["us-east-1"], "body field rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn")).toBe(
      `Data residency: model ${fm("eu-west-1")} (body field rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn) is in eu-west-1, outside this gateway key's allowed_regions (us-east-1).`,
    );
    expect(await message("arn:aws:sagemaker:us-west-2:123456789012:endpoint/my-endpoint", "us-east-1", ["us-east-1"])).toContain("is in us-west-2, outside");
    expect(await check("anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", ["us-east-1"])).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it("a profile's refusal says where the call named it", async () => {
    expect(await message("us.amazon.nova-lite-v1:0", "us-east-1", ["us-east-1"], "body field modelId")).toBe(
      "Data residency: inference profile us.amazon.nova-lite-v1:0 (body field modelId) may route to us-west-2, outside this gateway key's allowed_regions (us-east-1). " +
        "Call the model in an allowed region, or a profile whose regions are all allowed.",
    );
    expect(await check("us.amazon.nova-lite-v1:0", "us-east-1", ["us-east-1", "us-west-2"], "body field modelId")).toBeUndefined();
  });
});
