/** Server-sent events as Bedrock Runtime's OpenAI-compatible API streams them. */
import type { StreamEncoding } from "../../eventstream.ts";

const utf8 = new TextEncoder();

/** Chat Completions: bare `data:` lines, an error as an `error` object, `data: [DONE]` at the end. */
export const chatCompletionEvents: StreamEncoding = {
  event: (event) => utf8.encode(`data: ${JSON.stringify(event.payload)}\n\n`),
  exception: (type, message) => utf8.encode(`data: ${JSON.stringify({ error: { message, type: "api_error", code: type } })}\n\n`),
  end: utf8.encode("data: [DONE]\n\n"),
};

/** Responses: each event named (`event: response.output_text.delta`), its `type` repeated in the data. */
export const responseEvents: StreamEncoding = {
  event: (event) => utf8.encode(`event: ${event.eventType}\ndata: ${JSON.stringify(event.payload)}\n\n`),
  exception: (type, message) => utf8.encode(`event: error\ndata: ${JSON.stringify({ type: "error", code: type, message })}\n\n`),
};
