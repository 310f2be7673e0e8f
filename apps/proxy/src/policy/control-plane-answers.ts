import { isObject, type JsonObject } from "../usage/json.ts";
import { modelsAllow } from "./allow-list.ts";

/**
 * What a key limited to some models may see of a control-plane answer. Lists keep only the entries naming a
 * model the key may use (by the same rule as an invocation: id, ARN, or the model inside a foundation-model or
 * inference-profile ARN); a single job on another model is hidden as a whole. A page may therefore come back with
 * fewer entries than `maxResults`, its `nextToken` untouched: the next page is filtered the same way.
 */
export type AnswerFilter = (answer: JsonObject, models: string[]) => { keep: JsonObject } | { hide: string };

const allowed = (models: string[], ...ids: unknown[]) => ids.some((id) => typeof id === "string" && modelsAllow(models, id));

const keepEntries = (member: string, ids: (entry: JsonObject) => unknown[]): AnswerFilter => (answer, models) => {
  const list = answer[member];
  if (!Array.isArray(list)) return { keep: answer };
  return { keep: { ...answer, [member]: list.filter((entry) => isObject(entry) && allowed(models, ...ids(entry))) } };
};

/** By operation; GetFoundationModel and GetInferenceProfile need none: their path names the model, checked at admission. */
export const controlPlaneAnswerFilters: Record<string, AnswerFilter> = {
  ListFoundationModels: keepEntries("modelSummaries", (m) => [m.modelId, m.modelArn]),
  ListInferenceProfiles: keepEntries("inferenceProfileSummaries", (p) => [p.inferenceProfileId, p.inferenceProfileArn]),
  ListModelInvocationJobs: keepEntries("invocationJobSummaries", (j) => [j.modelId]),
  GetModelInvocationJob: (answer, models) =>
    allowed(models, answer.modelId) ? { keep: answer } : { hide: `This gateway key may not read batch inference job ${String(answer.jobArn ?? "")}: it runs model ${String(answer.modelId)}.` },
};
