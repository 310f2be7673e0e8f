import { parseJson, isObject } from "../usage/json.ts";
import type { BedrockCall } from "./context.ts";
import { type BodyLimits, readCallBody } from "./read-body.ts";
import { refuse, type Refusal } from "./refusal.ts";

/**
 * For routes that name their model in the JSON body (the OpenAI- and Anthropic-compatible ones: `{"model": ...}`), reads the body
 * now, within MAX_REQUEST_BODY_MB and BODY_READ_TIMEOUT_MS, so that the allow-list, budgets and model limits see
 * the model as they see a `/model/{modelId}/...` path. Only an authenticated caller gets this far.
 */
export async function nameModelFromBody(call: BedrockCall, limits: BodyLimits): Promise<Refusal | undefined> {
  if (call.route.operation?.modelFrom !== "body") return undefined;
  const body = await readCallBody(call, limits);
  let json: unknown;
  try {
    json = body ? parseJson(body) : undefined;
  } catch {
    json = undefined;
  }
  const model = isObject(json) ? json.model : undefined;
  if (typeof model !== "string" || model === "") {
    const example = call.route.operation.dialect === "anthropic" ? "anthropic.claude-3-haiku-20240307-v1:0" : "openai.gpt-oss-20b-1:0";
    return refuse.validation(`The request body must be a JSON object naming its model (\`model\`: a Bedrock model id, e.g. ${example}).`);
  }
  call.modelId = model;
  return undefined;
}
