/** Success responses; every one carries the request's base headers (x-amzn-RequestId etc.). */
import type { OpContext } from "./context.ts";
import { eventStreamBody, type StreamEncoding, type StreamEvent } from "./eventstream.ts";
import { headersOnce } from "./headers.ts";

export function jsonResponse(ctx: OpContext, body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: headersOnce(ctx.baseHeaders, { "content-type": "application/json" }, headers),
  });
}

export function emptyResponse(ctx: OpContext, status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers: headersOnce(ctx.baseHeaders, headers) });
}

/** Streams `events` honouring the request's control (pacing, failAfterEvents, cutAfterEvents). */
export function streamResponse(
  ctx: OpContext,
  events: Iterable<StreamEvent>,
  failWith: string,
  headers?: Record<string, string>,
  encoding?: StreamEncoding,
): Response {
  const body = eventStreamBody({
    events,
    eventDelayMs: ctx.eventDelayMs,
    failAfterEvents: ctx.control.failAfterEvents,
    failWith: ctx.control.failWith ?? failWith,
    cutAfterEvents: ctx.control.cutAfterEvents,
    signal: ctx.signal,
    stats: ctx.streams,
    encoding,
  });
  return new Response(body, {
    status: 200,
    headers: headersOnce(ctx.baseHeaders, { "content-type": encoding ? "text/event-stream" : "application/vnd.amazon.eventstream" }, headers),
  });
}

export function latencyMs(ctx: OpContext): number {
  return Math.max(1, Math.round(performance.now() - ctx.receivedAt));
}
