import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { MessageHeaders } from "@smithy/types";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { errorMessage } from "../error-message.ts";
import { EventStreamFormatError, walkFrames } from "../bedrock/event-stream-frames.ts";

export { EventStreamFormatError };

/** One decoded `application/vnd.amazon.eventstream` frame. `payload` is only valid during the callback. */
export type StreamFrame =
  | { kind: "event"; eventType: string; payload: Uint8Array }
  | { kind: "exception"; exceptionType: string; payload: Uint8Array }
  | { kind: "error"; errorCode: string; message: string };

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * Incremental, synchronous event-stream decoder: feed it chunks split anywhere (mid-prelude, mid-payload,
 * one byte at a time) and it calls `onFrame` for every complete frame, CRCs checked by `@smithy/eventstream-codec`.
 * Whole frames in a chunk are decoded in place; only an incomplete tail is copied, into a buffer that grows
 * by doubling, so a frame split into many pieces costs linear time.
 */
export class EventStreamDecoder {
  private buffer = new Uint8Array(0);
  private buffered = 0;

  constructor(private readonly onFrame: (frame: StreamFrame) => void) {}

  /** Bytes held back waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Throws {@link EventStreamFormatError} on a malformed frame; callers that must not throw wrap this. */
  push(chunk: Uint8Array): void {
    if (this.buffered === 0) {
      const consumed = this.drain(chunk);
      if (consumed < chunk.byteLength) this.append(chunk.subarray(consumed));
      return;
    }
    this.append(chunk);
    const consumed = this.drain(this.buffer.subarray(0, this.buffered));
    if (consumed > 0) {
      this.buffer.copyWithin(0, consumed, this.buffered);
      this.buffered -= consumed;
    }
  }

  /** Decodes every complete frame at the start of `data`; returns the bytes consumed. */
  private drain(data: Uint8Array): number {
    return walkFrames(data, this.emitFrame);
  }

  private readonly emitFrame = (frame: Uint8Array) => this.emit(frame);

  private emit(frame: Uint8Array): void {
    let message;
    try {
      message = codec.decode(frame);
    } catch (error) {
      throw new EventStreamFormatError(errorMessage(error));
    }
    const headers = message.headers;
    const messageType = header(headers, ":message-type");
    if (messageType === "exception") {
      this.onFrame({ kind: "exception", exceptionType: header(headers, ":exception-type") ?? "UnknownException", payload: message.body });
    } else if (messageType === "error") {
      this.onFrame({ kind: "error", errorCode: header(headers, ":error-code") ?? "UnknownError", message: header(headers, ":error-message") ?? "" });
    } else {
      this.onFrame({ kind: "event", eventType: header(headers, ":event-type") ?? "", payload: message.body });
    }
  }

  private append(bytes: Uint8Array): void {
    const needed = this.buffered + bytes.byteLength;
    if (needed > this.buffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.buffer.byteLength * 2, 1024));
      grown.set(this.buffer.subarray(0, this.buffered));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.buffered);
    this.buffered = needed;
  }
}

function header(headers: MessageHeaders, name: string): string | undefined {
  const value = headers[name];
  return value && value.type === "string" ? value.value : undefined;
}
