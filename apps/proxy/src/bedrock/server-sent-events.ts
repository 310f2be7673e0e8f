import { concatBytes } from "@bedrock-gateway/protocol";

const LF = 10;
const CR = 13;

/**
 * Where the last complete server-sent event of `data` ends (after its blank line: `\n\n`, `\r\n\r\n` or `\r\r`),
 * or 0 when none is complete.
 */
function lastEventEnd(data: Uint8Array): number {
  for (let i = data.byteLength - 1; i >= 1; i--) {
    const b = data[i];
    if (b !== LF && b !== CR) continue;
    const prev = data[i - 1];
    if (b === LF && prev === LF) return i + 1;
    if (b === CR && prev === CR) return i + 1;
    if (b === LF && prev === CR && i >= 3 && data[i - 2] === LF && data[i - 3] === CR) return i + 1;
  }
  return 0;
}

/** Whose server-sent events a stream carries: the API decides how a failure mid-stream is told so its SDKs raise it. */
export type EventDialect = "openai" | "anthropic";

const utf8 = new TextEncoder();

/**
 * The in-stream error each API's SDKs raise: OpenAI's, an event whose data is `{"error": {...}}` (an APIError);
 * Anthropic's, an `error` event with `{"type": "error", "error": {"type", "message"}}` (an APIError of that type).
 */
export function errorEvent(dialect: EventDialect, message: string): Uint8Array {
  if (dialect === "anthropic") return utf8.encode(`event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", message } })}\n\n`);
  return utf8.encode(`data: ${JSON.stringify({ error: { message, type: "api_error", code: "InternalServerException" } })}\n\n`);
}

/**
 * Holds back only the incomplete tail of a server-sent event, as FrameAligner does for event-stream frames: a
 * client dispatches an event only at its blank line anyway, so nothing waits longer, and a failure can then be
 * told as a well-formed event instead of glued onto half of one.
 */
export class EventAligner {
  private pending: Uint8Array | null = null;

  constructor(private readonly dialect: EventDialect = "openai") {}

  push(chunk: Uint8Array): Uint8Array {
    const data = this.pending ? concatBytes([this.pending, chunk]) : chunk;
    const end = lastEventEnd(data);
    this.pending = end < data.byteLength ? data.slice(end) : null;
    return end === data.byteLength ? data : data.subarray(0, end);
  }

  /** What upstream sent after its last complete event, relayed as is when the stream ends normally. */
  end(): Uint8Array | null {
    const rest = this.pending;
    this.pending = null;
    return rest;
  }

  failure(message: string): Uint8Array {
    return errorEvent(this.dialect, message);
  }
}
