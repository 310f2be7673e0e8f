/**
 * AWS-shaped errors. The SDKs pick the exception class from `x-amzn-errortype`
 * (not the status), so every error carries it plus a JSON `message`.
 */

import { headersOnce } from "./headers.ts";

export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export function errorResponse(
  err: AwsError,
  requestId: string,
  extraHeaders?: Record<string, string>,
): Response {
  const headers = headersOnce({ "content-type": "application/json", "x-amzn-errortype": err.type, "x-amzn-requestid": requestId }, extraHeaders);
  return new Response(JSON.stringify({ message: err.message }), { status: err.status, headers });
}

export const validation = (message: string) => new AwsError(400, "ValidationException", message);

/**
 * The API model's constraints, as AWS reports them: every violation in one message, "1 validation error detected:
 * Value null at 'retrievalQuery' failed to satisfy constraint: Member must not be null", "2 validation errors ...; ...".
 */
export function constraintsFailed(violations: string[]): AwsError {
  return validation(`${violations.length} validation error${violations.length === 1 ? "" : "s"} detected: ${violations.join("; ")}`);
}
export const mustNotBeNull = (path: string) => `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
export const mustBeOneOf = (value: unknown, path: string, allowed: readonly string[]) =>
  `Value '${String(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`;
export const unknownOperation = () =>
  new AwsError(404, "UnknownOperationException", "The requested operation is not recognized by the service.");
export const throttling = () =>
  new AwsError(429, "ThrottlingException", "Too many requests, please wait before trying again.");
export const notFound = (message: string) => new AwsError(404, "ResourceNotFoundException", message);
