/**
 * `application/vnd.amazon.eventstream` responses that really stream: frames
 * are pulled from a lazy generator one at a time, paced by `eventDelayMs`,
 * and the generator stops when the client goes away.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { Message, MessageHeaders } from "@smithy/types";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { StreamStats } from "./options.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export interface StreamEvent {
  eventType: string;
  payload: unknown;
}

export interface StreamPlan {
  events: Iterable<StreamEvent>;
  eventDelayMs: number;
  /** Send this many events, then an exception frame. */
  failAfterEvents?: number;
  failWith: string;
  /** Send this many events, then break the connection with no terminating frame. */
  cutAfterEvents?: number;
  signal?: AbortSignal;
  stats?: StreamStats;
  /** How events go on the wire; default: event-stream frames. Server-sent events use their own (sse.ts). */
  encoding?: StreamEncoding;
}

export interface StreamEncoding {
  event(event: StreamEvent): Uint8Array;
  exception(type: string, message: string): Uint8Array;
  /** Written after the last event of a stream that completed (SSE's `data: [DONE]`). */
  end?: Uint8Array;
}

const eventStreamEncoding: StreamEncoding = {
  event: (event) => encodeEvent(event.eventType, event.payload),
  exception: encodeException,
};

const str = (value: string) => ({ type: "string" as const, value });

export function encodeEvent(eventType: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ":event-type": str(eventType),
    ":content-type": str("application/json"),
    ":message-type": str("event"),
  };
  const message: Message = { headers, body: fromUtf8(JSON.stringify(payload)) };
  return codec.encode(message);
}

export function encodeException(exceptionType: string, message: string): Uint8Array {
  const headers: MessageHeaders = {
    ":exception-type": str(exceptionType),
    ":content-type": str("application/json"),
    ":message-type": str("exception"),
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify({ message })) });
}

/**
 * An error the event stream's union does not model (a broken event signature): `:message-type: error`, which the
 * SDKs raise as an Error named after `:error-code`.
 */
export function encodeError(errorCode: string, message: string): Uint8Array {
  return codec.encode({ headers: { ":message-type": str("error"), ":error-code": str(errorCode), ":error-message": str(message) }, body: new Uint8Array(0) });
}

export function eventStreamBody(plan: StreamPlan): ReadableStream<Uint8Array> {
  const encoding = plan.encoding ?? eventStreamEncoding;
  const iterator = plan.events[Symbol.iterator]();
  let sent = 0;
  let finished = false;
  const stop = () => {
    finished = true;
    iterator.return?.();
  };
  const cancelled = () => {
    if (!finished && plan.stats) plan.stats.cancelled++;
    stop();
  };
  plan.signal?.addEventListener("abort", cancelled, { once: true });
  if (plan.stats) plan.stats.started++;

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (finished) return;
        if (sent > 0 && plan.eventDelayMs > 0) await sleep(plan.eventDelayMs, plan.signal);
        if (finished) return;
        if (plan.cutAfterEvents !== undefined && sent >= plan.cutAfterEvents) {
          stop();
          controller.error(new Error("bedrock-emulator: stream cut on purpose (cutAfterEvents)"));
          return;
        }
        if (plan.failAfterEvents !== undefined && sent >= plan.failAfterEvents) {
          stop();
          controller.enqueue(encoding.exception(plan.failWith, "The emulator failed the stream on purpose (failAfterEvents)."));
          controller.close();
          return;
        }
        const next = iterator.next();
        if (next.done) {
          finished = true;
          if (plan.stats) plan.stats.completed++;
          if (encoding.end) controller.enqueue(encoding.end);
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(encoding.event(next.value));
      },
      cancel() {
        cancelled();
      },
    },
    // One frame of read-ahead at most, so frames leave as they are produced.
    { highWaterMark: 0 },
  );
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
