/**
 * The client-to-server bytes of an HTTP/2 connection, minus the client's GOAWAY frames. Deno.serve's HTTP/2
 * (2.9.6: the `h2` crate before 0.4.14, hyperium/h2#885) resets every open stream ~4 ms after a client's GOAWAY,
 * even GOAWAY(NO_ERROR), which only says the client will open no more streams. The AWS SDK for JavaScript sends it
 * for every event stream as soon as the response headers arrive, so ConverseStream came back empty and
 * bidirectional sessions died. Without the frame the server finishes every stream; the client closes the connection
 * itself once its streams are done (that is what GOAWAY announced), and the server sees the close.
 * Frames are parsed only for their 9-byte headers; everything else passes through as it came (no copy).
 */
import { Transform, type TransformCallback } from "node:stream";

const PREFACE_LENGTH = 24;
const FRAME_HEADER_LENGTH = 9;
const GOAWAY = 0x7;

export function withoutClientGoaway(): Transform {
  /** Bytes of the current frame (or the preface) still to pass or drop. */
  let remaining = PREFACE_LENGTH;
  let dropping = false;
  let header: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        if (remaining > 0) {
          const n = Math.min(remaining, chunk.length - at);
          if (!dropping) this.push(chunk.subarray(at, at + n));
          remaining -= n;
          at += n;
          continue;
        }
        const part = chunk.subarray(at, at + FRAME_HEADER_LENGTH - header.length);
        at += part.length;
        header = header.length === 0 ? part : Buffer.concat([header, part]);
        if (header.length < FRAME_HEADER_LENGTH) break;
        remaining = header.readUIntBE(0, 3);
        dropping = header[3] === GOAWAY;
        if (!dropping) this.push(header);
        header = Buffer.alloc(0);
      }
      done();
    },
  });
}
