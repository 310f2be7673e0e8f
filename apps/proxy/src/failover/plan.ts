import type { BedrockCall } from "../pipeline/context.ts";
import type { FailoverRoute, FailoverTarget } from "./failover-config.ts";

/**
 * Operations that may be sent again, to another region, after a throttle or a failure before any answer byte:
 * they only read a model's answer, and the body is already whole in memory. Everything else is sent once:
 * StartAsyncInvoke (a 5xx may still have started the job: a second region would start a second one, and its
 * clientRequestToken is only checked within a region), InvokeAgent / InvokeInlineAgent and InvokeFlow (action
 * groups and flow nodes call Lambdas and APIs with side effects; sessions and memory live in one region), the
 * session and memory APIs (regional state), ApplyGuardrail, knowledge bases and reranking (guardrail, knowledge
 * base and agent ids are regional resources that do not exist elsewhere), and bidirectional streams (their input
 * is not a body that can be replayed).
 */
export const repeatableOperations: ReadonlySet<string> = new Set(["Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream", "CountTokens"]);

/** An ARN names a resource of one region (an application inference profile): it is not sent to another as is. */
const arnRegion = (modelId: string): string | null => /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):/.exec(modelId)?.[1] ?? null;

/**
 * Where a call may go, in order: its own region first (the client's `x-bedrock-region` or the gateway's), then the
 * route's targets; every one inside the call's allowed regions. A `global.` inference profile may be served from
 * any region, so it is left out for keys bound to regions.
 */
export function failoverTargets(call: BedrockCall, route: FailoverRoute): FailoverTarget[] {
  const allowed = call.allowedRegions ?? null;
  const modelId = call.modelId!;
  const ownRegion = arnRegion(modelId);
  const seen = new Set<string>();
  const targets: FailoverTarget[] = [];
  for (const candidate of [{ region: call.region, model: null }, ...route.targets]) {
    const target = { region: candidate.region ?? call.region, model: candidate.model === modelId ? null : candidate.model };
    const key = `${target.region} ${target.model}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (allowed !== null && !allowed.includes(target.region)) continue;
    if (allowed !== null && target.model?.startsWith("global.")) continue;
    // The call as the client sent it always goes first; only the alternatives are judged.
    if (targets.length > 0 && target.model === null && ownRegion !== null && ownRegion !== target.region) continue;
    targets.push(target);
  }
  return targets;
}

/** The path naming `model` instead of the client's: `/model/{model}/<operation>` for the repeatable operations. */
export function pathFor(call: BedrockCall, model: string | null): string {
  if (model === null) return call.target.path;
  const segments = call.target.segments;
  return `/model/${encodeURIComponent(model)}/${segments[segments.length - 1]}`;
}
