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
 * AWS-shaped errors: SDKs pick the exception class from `x-amzn-errortype`, and read `message` from the body.
 * Anything else (LiteLLM's `{"error":{...}}`) surfaces as an untyped "Unknown" error.
 */
export function renderRefusal(refusal: Refusal): Response {
  const headers = new Headers({ "content-type": "application/json", "x-amzn-errortype": refusal.type, "x-amzn-requestid": crypto.randomUUID() });
  if (refusal.retryAfterSeconds !== undefined) headers.set("retry-after", String(refusal.retryAfterSeconds));
  return new Response(JSON.stringify({ message: refusal.message }), { status: refusal.status, headers });
}
