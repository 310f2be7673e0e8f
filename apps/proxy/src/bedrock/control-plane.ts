import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { refuse, type Refusal } from "../pipeline/refusal.ts";

/**
 * First path segments of the Bedrock control plane (`bedrock.{region}.amazonaws.com`) beyond the slice the gateway
 * serves. A call under one of them is a control-plane call the gateway knows and refuses with a reason, rather
 * than an unknown route. Checked against @aws-sdk/client-bedrock's operations by test/bedrock/control-plane.test.ts.
 */
export const controlPlaneSegments: ReadonlySet<string> = new Set([
  "advanced-prompt-optimization-job", "advanced-prompt-optimization-jobs", "automated-reasoning-policies",
  "create-foundation-model-agreement", "custom-models", "data-retention", "delete-foundation-model-agreement",
  "enforcedGuardrailsConfiguration", "evaluation-job", "evaluation-jobs", "foundation-model-availability",
  "foundation-models", "guardrails", "imported-models", "inference-profiles", "list-foundation-model-agreement-offers",
  "listTagsForResource", "logging", "marketplace-model", "model-copy-jobs", "model-customization",
  "model-customization-jobs", "model-import-jobs", "model-invocation-job", "model-invocation-jobs", "prompt-routers",
  "provisioned-model-throughput", "provisioned-model-throughputs", "resource-policy", "tagResource", "untagResource",
  "use-case-for-model-access",
]);

const served = bedrockRoutes.filter((route) => route.service === "bedrock").map((route) => route.operationId);

/**
 * The gateway's answer to a control-plane call outside its read-only slice: a write (anything but GET) is refused
 * with 403 and says why; a read the gateway does not serve is a 404 naming the ones it does.
 */
export function controlPlaneRefusal(method: string, path: string): Refusal {
  const what = `${method} ${path.length > 120 ? path.slice(0, 120) + "..." : path}`;
  if (method !== "GET") {
    return refuse.accessDenied(`The gateway serves the Bedrock control plane read-only; ${what} would change it and is refused. Served: ${served.join(", ")}.`);
  }
  return refuse.unknownOperation(`The gateway serves only these reads of the Bedrock control plane: ${served.join(", ")}; not ${what}.`);
}
