import { describe, expect, it } from "vitest";
import { namesInferenceProfile } from "../../src/policy/profile-residency.ts";

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
