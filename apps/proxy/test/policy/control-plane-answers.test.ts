import { describe, expect, it } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { controlPlaneAnswerFilters } from "../../src/policy/control-plane-answers.ts";

const models = ["anthropic.claude-3-haiku-*", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mine"];
const keep = (result: unknown) => (result as { keep: Record<string, unknown[]> }).keep;

describe("control-plane answers for a key limited to some models", () => {
  it("ListFoundationModels keeps the models the key may use, and the rest of the answer", () => {
    const answer = { modelSummaries: [{ modelId: "anthropic.claude-3-haiku-20240307-v1:0" }, { modelId: "amazon.nova-lite-v1:0" }], other: 1 };
    expect(controlPlaneAnswerFilters.ListFoundationModels!(answer, models)).toEqual({ keep: { modelSummaries: [{ modelId: "anthropic.claude-3-haiku-20240307-v1:0" }], other: 1 } });
  });

  it("ListInferenceProfiles keeps profiles the key may invoke, by id or by ARN", () => {
    const profiles = [
      { inferenceProfileId: "us.anthropic.claude-3-haiku-20240307-v1:0", inferenceProfileArn: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0" },
      { inferenceProfileId: "mine", inferenceProfileArn: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mine" },
      { inferenceProfileId: "theirs", inferenceProfileArn: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/theirs" },
    ];
    // A system profile id (`us.`) is not the model id itself: the key's pattern must name it, as for an invocation.
    const listed = keep(controlPlaneAnswerFilters.ListInferenceProfiles!({ inferenceProfileSummaries: profiles, nextToken: "n" }, [...models, "us.anthropic.*"]));
    expect(listed.inferenceProfileSummaries!.map((p: any) => p.inferenceProfileId)).toEqual(["us.anthropic.claude-3-haiku-20240307-v1:0", "mine"]);
    expect(listed.nextToken).toBe("n");
  });

  it("ListModelInvocationJobs keeps jobs on allowed models; GetModelInvocationJob hides a job on another model", () => {
    const jobs = [{ jobArn: "a", modelId: "anthropic.claude-3-haiku-20240307-v1:0" }, { jobArn: "b", modelId: "meta.llama3-8b-instruct-v1:0" }];
    expect(keep(controlPlaneAnswerFilters.ListModelInvocationJobs!({ invocationJobSummaries: jobs }, models)).invocationJobSummaries).toEqual([jobs[0]]);
    expect(controlPlaneAnswerFilters.GetModelInvocationJob!(jobs[0]!, models)).toEqual({ keep: jobs[0] });
    expect(controlPlaneAnswerFilters.GetModelInvocationJob!(jobs[1]!, models)).toEqual({ hide: expect.stringContaining("meta.llama3-8b-instruct-v1:0") });
  });

  it("every control-plane read that names no model in its path has a filter (the allow-list lets them pass for it)", () => {
    const unnamed = bedrockRoutes.filter((r) => r.service === "bedrock" && r.modelFrom === undefined).map((r) => r.operationId);
    expect(unnamed.length).toBeGreaterThan(0);
    expect(unnamed.filter((id) => !controlPlaneAnswerFilters[id])).toEqual([]);
  });

  it("an answer without the expected list passes unchanged", () => {
    expect(controlPlaneAnswerFilters.ListFoundationModels!({ unexpected: true }, models)).toEqual({ keep: { unexpected: true } });
  });
});
