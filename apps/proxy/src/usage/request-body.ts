import { errorMessage } from "../error-message.ts";
import { at, isObject, parseJson } from "./json.ts";

/** Request bodies above this are not parsed for metering (Rerank and RetrieveAndGenerate bodies can carry documents). */
export const MAX_METERED_REQUEST_BYTES = 8 * 1024 * 1024;

/** The JSON request body, for operations billed by what was asked (Rerank, StartAsyncInvoke) or whose model only the body names. */
export function requestJson(body: Uint8Array | null | undefined): { json: unknown } | { problem: string } {
  if (!body || body.byteLength === 0) return { problem: "the request had no body" };
  if (body.byteLength > MAX_METERED_REQUEST_BYTES) return { problem: `the request body is larger than the ${MAX_METERED_REQUEST_BYTES}-byte metering cap` };
  try {
    return { json: parseJson(body) };
  } catch (error) {
    return { problem: `the request body is not JSON: ${errorMessage(error)}` };
  }
}

/** A non-empty string at `path`, else undefined. */
export function textAt(value: unknown, ...path: string[]): string | undefined {
  const found = at(value, ...path);
  return typeof found === "string" && found.trim() !== "" ? found.trim() : undefined;
}

/**
 * The model a RetrieveAndGenerate(Stream) request generates with: `knowledgeBaseConfiguration.modelArn` or
 * `externalSourcesConfiguration.modelArn` (an ARN or a model / inference-profile id).
 */
export function retrieveAndGenerateModel(json: unknown): string | undefined {
  const config = at(json, "retrieveAndGenerateConfiguration");
  if (!isObject(config)) return undefined;
  return textAt(config, "knowledgeBaseConfiguration", "modelArn") ?? textAt(config, "externalSourcesConfiguration", "modelArn");
}

/** InvokeInlineAgent names its model in the body (`foundationModel`). */
export function inlineAgentModel(json: unknown): string | undefined {
  return textAt(json, "foundationModel");
}
