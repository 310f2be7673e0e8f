import { concatBytes } from "@bedrock-gateway/protocol";
import { errorMessage } from "../error-message.ts";
import { errorFrame, exceptionFrame, StreamFailure, walkFrames } from "./event-stream-frames.ts";
import { EventAligner, type EventDialect } from "./server-sent-events.ts";

/**
 * Observes a response body as it passes. Taps see every chunk in order and never change it;
 * `end` runs once, whether the stream completed, failed upstream or was cancelled by the client.
 */
export interface BodyTap {
  chunk?(bytes: Uint8Array): void;
  end?(outcome: RelayOutcome): void;
}

export type RelayOutcome = { kind: "complete" } | { kind: "upstream-error"; error: unknown } | { kind: "client-cancel" };

export interface RelayOptions {
  eventStream: boolean;
  /** `text/event-stream` (the OpenAI- and Anthropic-compatible APIs): relayed on event boundaries, a failure told as that API's error event. */
  serverSentEvents?: boolean;
  /** Whose error event tells a failure in a server-sent-event stream; default `openai`. */
  eventDialect?: EventDialect;
  tap?: BodyTap;
  /** Aborts the upstream fetch when the client goes away. */
  abortUpstream: () => void;
  /**
   * Whether the client has gone away: an upstream read that fails after that failed because of it (Deno aborts
   * `request.signal`, which cancels upstream, before it cancels the answer's body; Bun does the reverse).
   */
  clientGone?: () => boolean;
}

/**
 * Relays an upstream body chunk by chunk. Event streams are relayed on frame boundaries (server-sent events on
 * event boundaries), so that when upstream fails mid-stream the client receives a well-formed exception frame
 * (error event) instead of half a frame and garbage.
 */
export function relayBody(upstream: ReadableStream<Uint8Array>, options: RelayOptions): ReadableStream<Uint8Array> {
  const reader = smallBufferReader(upstream);
  const framer = options.eventStream ? new FrameAligner() : options.serverSentEvents ? new EventAligner(options.eventDialect) : null;
  let ended = false;
  const end = (outcome: RelayOutcome) => {
    if (ended) return;
    ended = true;
    options.tap?.end?.(outcome);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Loop until something is enqueued: a pull that enqueues nothing is never called again.
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const rest = framer?.end();
            if (rest?.byteLength) {
              options.tap?.chunk?.(rest);
              controller.enqueue(rest);
            }
            end({ kind: "complete" });
            controller.close();
            return;
          }
          const out = framer ? framer.push(value) : value;
          if (out.byteLength > 0) {
            options.tap?.chunk?.(out);
            controller.enqueue(out);
            return;
          }
        }
      } catch (error) {
        if (options.clientGone?.()) {
          end({ kind: "client-cancel" });
          return controller.error(error);
        }
        end({ kind: "upstream-error", error });
        if (framer) {
          // A failure the gateway itself raised mid-stream (a refused input event) is told as it is.
          const told = error instanceof StreamFailure && options.eventStream ? errorFrame(error.errorCode, error.message) : framer.failure("The upstream Bedrock stream failed: " + errorMessage(error));
          controller.enqueue(told);
          controller.close();
        } else {
          controller.error(error);
        }
      }
    },
    cancel() {
      end({ kind: "client-cancel" });
      options.abortUpstream();
      return reader.cancel().catch(() => {});
    },
  });
}

const READ_MIN_BYTES = 4 * 1024;
const READ_MAX_BYTES = 64 * 1024;

type ChunkReader = { read(): Promise<ReadableStreamReadResult<Uint8Array>>; cancel(): Promise<void> };

/**
 * Reads into one small reusable buffer where the runtime allows it (byte streams: Deno's fetch bodies), copying
 * out only the bytes that arrived. A default reader on such a stream allocates 64 KiB per read and holds it for
 * as long as the read waits, which is most of a slow stream's life (measured: 406 → 263 MB for 1,000 streams on
 * Deno). The buffer grows while reads fill it, so large bodies are not read in small pieces.
 */
function smallBufferReader(stream: ReadableStream<Uint8Array>): ChunkReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    return stream.getReader();
  }
  let buffer = new Uint8Array(READ_MIN_BYTES);
  return {
    async read() {
      const result = await byob.read(buffer);
      if (result.done || !result.value) return { done: true, value: undefined };
      const view = result.value;
      const size = view.buffer.byteLength;
      const next = view.byteLength === size ? Math.min(size * 2, READ_MAX_BYTES) : view.byteLength < size / 4 ? Math.max(size / 2, READ_MIN_BYTES) : size;
      buffer = next === size ? new Uint8Array(view.buffer) : new Uint8Array(next);
      return { done: false, value: view.slice() };
    },
    cancel: () => byob.cancel(),
  };
}

/** Holds back only the incomplete tail of an event-stream frame; complete frames pass at once. */
class FrameAligner {
  private pending: Uint8Array | null = null;

  /** A stream that ends inside a frame failed: SDKs could not decode its last frame. */
  end(): null {
    if (this.pending !== null && this.pending.byteLength > 0) throw new Error("upstream closed the event stream inside a frame");
    return null;
  }

  failure(message: string): Uint8Array {
    return exceptionFrame("internalServerException", message);
  }

  push(chunk: Uint8Array): Uint8Array {
    const data = this.pending ? concatBytes([this.pending, chunk]) : chunk;
    const offset = walkFrames(data);
    this.pending = offset < data.byteLength ? data.slice(offset) : null;
    return offset === data.byteLength ? data : data.subarray(0, offset);
  }
}
