import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
import { pathStartOf } from "../bedrock/raw-path.ts";

/**
 * A Bedrock call the gateway answers itself (bad path, bad key, over a budget or a limit, upstream unreachable),
 * as a value: steps return one, and `renderRefusal` alone turns it into the AWS-shaped error.
 */
export interface Refusal {
  status: number;
  /** The AWS exception name SDKs map to a class (`x-amzn-errortype`). */
  type: string;
  message: string;
  /** Throttling: the `retry-after` header, in seconds. */
  retryAfterSeconds?: number;
}

/** Steps return either what they made or a Refusal; none of what they make has both a status and a type. */
export function isRefusal<T extends object>(value: T | Refusal): value is Refusal {
  return "status" in value && "type" in value;
}

const refusal = (status: number, type: string) => (message: string): Refusal => ({ status, type, message });

export const refuse = {
  unrecognizedClient: refusal(401, "UnrecognizedClientException"),
  accessDenied: refusal(403, "AccessDeniedException"),
  validation: refusal(400, "ValidationException"),
  tooLarge: refusal(413, "ValidationException"),
  unknownOperation: refusal(404, "UnknownOperationException"),
  badGateway: refusal(502, "ServiceUnavailableException"),
  serviceUnavailable: refusal(503, "ServiceUnavailableException"),
  gatewayTimeout: refusal(504, "ServiceUnavailableException"),
  /** SDKs retry this one: the client may simply have been slow. */
  requestTimeout: refusal(408, "RequestTimeoutException"),
  internal: refusal(500, "InternalServerException"),
  /** Nobody reads it (the client is gone); it names the outcome in logs and metrics, as nginx's 499 does. */
  clientClosed: refusal(499, "RequestCanceledException"),
  throttling: (message: string, retryAfterSeconds: number): Refusal => ({
    status: 429,
    type: "ThrottlingException",
    message,
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  }),
};

/**
 * Which error shape a client reads: `aws` for the native Bedrock APIs (the AWS SDKs), `openai` for Bedrock
 * Runtime's OpenAI-compatible paths and `anthropic` for its Anthropic Messages API (those SDKs show the message of
 * their own error body, and nothing of an AWS one).
 */
export type Dialect = "aws" | "openai" | "anthropic";

const OPENAI_PATHS = BEDROCK_PREFIX + "/openai/";
const ANTHROPIC_PATHS = BEDROCK_PREFIX + "/anthropic/";

/** The dialect of a /bedrock request, from its path alone: known before (and whether or not) it is routed. */
export function dialectOf(requestUrl: string): Dialect {
  const start = pathStartOf(requestUrl);
  if (requestUrl.startsWith(OPENAI_PATHS, start)) return "openai";
  return requestUrl.startsWith(ANTHROPIC_PATHS, start) ? "anthropic" : "aws";
}

/**
 * AWS-shaped errors: SDKs pick the exception class from `x-amzn-errortype`, and read `message` from the body.
 * Anything else (LiteLLM's `{"error":{...}}`) surfaces as an untyped "Unknown" error. On the OpenAI-compatible
 * paths the body is OpenAI's `{"error": {"message", "type", "code"}}` instead, `code` naming the AWS exception;
 * on the Anthropic path Anthropic's `{"type": "error", "error": {"type", "message"}}`. The status picks the SDKs'
 * error class in both.
 */
export function renderRefusal(refusal: Refusal, dialect: Dialect = "aws"): Response {
  const headers = new Headers({ "content-type": "application/json", "x-amzn-errortype": refusal.type, "x-amzn-requestid": crypto.randomUUID() });
  if (refusal.retryAfterSeconds !== undefined) headers.set("retry-after", String(refusal.retryAfterSeconds));
  return new Response(JSON.stringify(errorBody(refusal, dialect)), { status: refusal.status, headers });
}

function errorBody(refusal: Refusal, dialect: Dialect): object {
  if (dialect === "openai") return { error: { message: refusal.message, type: openAiErrorType(refusal.status), code: refusal.type } };
  if (dialect === "anthropic") return { type: "error", error: { type: anthropicErrorType(refusal.status), message: refusal.message } };
  return { message: refusal.message };
}

/** OpenAI's error `type` for a status, as its API names them. */
function openAiErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  return status < 500 ? "invalid_request_error" : "api_error";
}

/** Anthropic's error `type` for a status, as its API documents them. */
export function anthropicErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 504) return "timeout_error";
  return status < 500 ? "invalid_request_error" : "api_error";
}
