import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

/**
 * AWS-shaped errors: SDKs pick the exception class from `x-amzn-errortype`, and read `message` from the body.
 * Anything else (LiteLLM's `{"error":{...}}`) surfaces as an untyped "Unknown" error.
 */
export function awsError(status: number, type: string, message: string, extraHeaders?: HeadersInit): Response {
  const headers = new Headers(extraHeaders);
  headers.set("content-type", "application/json");
  headers.set("x-amzn-errortype", type);
  headers.set("x-amzn-requestid", crypto.randomUUID());
  return new Response(JSON.stringify({ message }), { status, headers });
}

export const errors = {
  unrecognizedClient: (message = "The security token included in the request is invalid.") =>
    awsError(401, "UnrecognizedClientException", message),
  accessDenied: (message: string) => awsError(403, "AccessDeniedException", message),
  validation: (message: string) => awsError(400, "ValidationException", message),
  tooLarge: (message: string) => awsError(413, "ValidationException", message),
  unknownOperation: (message: string) => awsError(404, "UnknownOperationException", message),
  badGateway: (message: string) => awsError(502, "ServiceUnavailableException", message),
  serviceUnavailable: (message: string) => awsError(503, "ServiceUnavailableException", message),
  gatewayTimeout: (message: string) => awsError(504, "ServiceUnavailableException", message),
  requestTimeout: (message: string) => awsError(408, "RequestTimeoutException", message),
  internal: (message: string) => awsError(500, "InternalServerException", message),
  /** Nobody reads it (the client is gone); it names the outcome in logs and metrics, as nginx's 499 does. */
  clientClosed: () => awsError(499, "RequestCanceledException", "The client closed the request before it was sent to Bedrock."),
  throttling: (message: string, retryAfterSeconds: number) =>
    awsError(429, "ThrottlingException", message, { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) }),
};

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * Once an event stream has started, an error can only be told to the client as an exception frame:
 * JSON or text in the middle of the stream breaks the client's CRC check.
 */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "exception" },
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}
