/** Server-sent events as Anthropic's Messages API streams them: every event named, its `type` repeated in the data. */
import type { StreamEncoding } from "../../eventstream.ts";

const utf8 = new TextEncoder();

/** Anthropic's error types for the AWS exceptions a stream can end with. */
function errorType(awsType: string): string {
  if (awsType === "ThrottlingException") return "rate_limit_error";
  if (awsType === "ServiceUnavailableException" || awsType === "ModelNotReadyException") return "overloaded_error";
  return "api_error";
}

export const messageEvents: StreamEncoding = {
  event: (event) => utf8.encode(`event: ${event.eventType}\ndata: ${JSON.stringify(event.payload)}\n\n`),
  exception: (type, message) => utf8.encode(`event: error\ndata: ${JSON.stringify({ type: "error", error: { type: errorType(type), message } })}\n\n`),
};
