/** `application/vnd.amazon.eventstream` framing: every message starts with its total length (4 bytes, big-endian). */

/** Prelude (total length, headers length, prelude CRC) plus the message CRC: the smallest possible frame. */
export const MIN_FRAME_BYTES = 16;
/** The format caps a message at 16 MiB of payload plus 128 KiB of headers. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_FRAME_BYTES;

/** An event stream that cannot be split into frames. */
export class EventStreamFormatError extends Error {}

/** A frame that announces more bytes than the reader accepts: refused from its first 4 bytes, nothing buffered. */
export class FrameTooLargeError extends EventStreamFormatError {
  constructor(
    readonly declaredBytes: number,
    readonly maxBytes: number,
  ) {
    super(`an event-stream frame of ${declaredBytes} bytes, over the limit of ${maxBytes}`);
  }
}

/**
 * The frames of a body as they arrive, each in its own array, whatever the chunking (a frame split over many
 * chunks, many frames in one). Only the frame being received is held, allocated once at its announced length.
 * Throws EventStreamFormatError when the body ends inside a frame or announces an impossible length, and
 * FrameTooLargeError past `maxFrameBytes`. Stopping early cancels the body, and so does `stop`, even while a read
 * is waiting for bytes that may never come (the generator then ends).
 */
export async function* readFrames(body: ReadableStream<Uint8Array>, maxFrameBytes = MAX_FRAME_BYTES, stop?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  if (stop?.aborted) cancel();
  stop?.addEventListener("abort", cancel, { once: true });
  const prelude = new Uint8Array(4);
  let preludeFilled = 0;
  let frame: Uint8Array | null = null;
  let filled = 0;
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        finished = true;
        if (stop?.aborted) return;
        if (frame !== null || preludeFilled > 0) throw new EventStreamFormatError(`the event stream ended inside a frame (${frame ? filled : preludeFilled} bytes of it received)`);
        return;
      }
      const chunk = next.value;
      let offset = 0;
      while (offset < chunk.byteLength) {
        if (frame === null) {
          const n = Math.min(4 - preludeFilled, chunk.byteLength - offset);
          prelude.set(chunk.subarray(offset, offset + n), preludeFilled);
          preludeFilled += n;
          offset += n;
          if (preludeFilled < 4) break;
          preludeFilled = 0;
          const total = new DataView(prelude.buffer).getUint32(0);
          if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES) throw new EventStreamFormatError(`event-stream frame of impossible length ${total}`);
          if (total > maxFrameBytes) throw new FrameTooLargeError(total, maxFrameBytes);
          frame = new Uint8Array(total);
          frame.set(prelude);
          filled = 4;
        }
        const n = Math.min(frame.byteLength - filled, chunk.byteLength - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frame.byteLength) {
          const complete = frame;
          frame = null;
          yield complete;
        }
      }
    }
  } finally {
    stop?.removeEventListener("abort", cancel);
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
