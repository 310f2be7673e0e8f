/** An `application/vnd.amazon.eventstream` body that cannot be split into frames. */
export class EventStreamFormatError extends Error {}

const PRELUDE_BYTES = 12;
const MIN_FRAME_BYTES = 16;
/** The event-stream format caps a message at 16 MiB of payload plus 128 KiB of headers. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_FRAME_BYTES;

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
