import { EventStreamFormatError, MAX_FRAME_BYTES, MIN_FRAME_BYTES } from "@bedrock-gateway/protocol";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

export { EventStreamFormatError };

const PRELUDE_BYTES = 12;

/**
 * Walks the complete frames at the start of `data` by their length prefix, handing each to `onFrame` (a view, valid
 * during the call), and returns the bytes they span: the rest is the start of a frame still to come.
 */
export function walkFrames(data: Uint8Array, onFrame?: (frame: Uint8Array) => void): number {
  let offset = 0;
  while (data.byteLength - offset >= PRELUDE_BYTES) {
    const total = new DataView(data.buffer, data.byteOffset + offset, 4).getUint32(0);
    if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES) throw new EventStreamFormatError(`event-stream frame of impossible length ${total}`);
    if (data.byteLength - offset < total) break;
    onFrame?.(data.subarray(offset, offset + total));
    offset += total;
  }
  return offset;
}

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

/**
 * An error told inside an event stream that its union does not model (a broken event signature, an input event over
 * the limit): `:message-type: error`, which the SDKs raise as an Error named after `:error-code`.
 */
export function errorFrame(errorCode: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "error" },
      ":error-code": { type: "string", value: errorCode },
      ":error-message": { type: "string", value: message },
    },
    body: new Uint8Array(0),
  });
}

/** Ends a relayed event stream with this error (errorFrame) instead of the generic upstream-failure exception. */
export class StreamFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}
