import { stripProfilePrefix } from "../pricing/model-id.ts";
import { at, count } from "./json.ts";
import { requestJson, textAt } from "./request-body.ts";
import { type Usage, zeroTokens } from "./types.ts";

/** Nova Reel's fixed shot length: single-shot videos and each manual shot are 6 seconds. */
const NOVA_REEL_SHOT_SECONDS = 6;

/**
 * StartAsyncInvoke answers with an invocation ARN only; the job is billed when it completes. Video generation
 * (Nova Reel) is billed per second of output, which the request fixes (`videoGenerationConfig.durationSeconds`, or
 * 6 s per manual shot), so it is priced at submission. Other models' jobs stay unpriced with the reason, for good:
 * GetAsyncInvoke reports a job's status and output location, never what it used, so there is nothing to reconcile.
 */
export function asyncInvokeUsage(requestBody: Uint8Array | null | undefined): Usage {
  const parsed = requestJson(requestBody);
  if ("problem" in parsed) return { ...zeroTokens(), source: "unreadable", note: `async job not metered: ${parsed.problem}`, complete: false };
  const modelId = textAt(parsed.json, "modelId");
  const seconds = modelId ? novaReelSeconds(modelId, at(parsed.json, "modelInput")) : undefined;
  if (modelId && seconds !== undefined) {
    return { ...zeroTokens(), units: { videoSeconds: seconds }, modelId, source: "request-body", complete: true };
  }
  return {
    ...zeroTokens(),
    ...(modelId && { modelId }),
    source: "not-exposed",
    note: `pending: Bedrock bills the async job${modelId ? ` (${modelId})` : ""} when it completes and reports no usage; its output is in S3, not in any response the gateway relays, and GetAsyncInvoke tells its status, not its usage`,
    complete: false,
  };
}

function novaReelSeconds(modelId: string, input: unknown): number | undefined {
  const id = stripProfilePrefix(modelId.replace(/^arn:[^/]*\//, "")).id;
  if (!id.startsWith("amazon.nova-reel")) return undefined;
  switch (at(input, "taskType")) {
    case "TEXT_VIDEO":
      return count(at(input, "videoGenerationConfig", "durationSeconds")) ?? NOVA_REEL_SHOT_SECONDS;
    case "MULTI_SHOT_AUTOMATED":
      return count(at(input, "videoGenerationConfig", "durationSeconds"));
    case "MULTI_SHOT_MANUAL": {
      const shots = at(input, "multiShotManualParams", "shots");
      return Array.isArray(shots) ? shots.length * NOVA_REEL_SHOT_SECONDS : undefined;
    }
    default:
      return undefined;
  }
}
