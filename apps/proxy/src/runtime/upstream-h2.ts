/**
 * Full-duplex HTTP/2 requests to Bedrock, for the one operation `fetch` cannot carry: a request body that keeps
 * streaming while the answer streams back (InvokeModelWithBidirectionalStream). Bun's fetch speaks HTTP/1.1 only,
 * and fetch request bodies are half duplex (`duplex: "half"`: the body is sent before the answer is read), so this
 * uses `node:http2`, which both runtimes implement (measured: full duplex on Bun 1.4 and Deno 2.9, loopback h2c). One session per origin is shared by every
 * stream to it, as HTTP/2 intends; a session that fails, is told GOAWAY or closes is dropped and the next call
 * opens a new one. Everything outside this file sees web-standard streams and Headers.
 */
import http2 from "node:http2";

/** An HTTP/2 exchange with its request body still open. */
export interface DuplexExchange {
  /** Status and headers once upstream answers; rejects if the stream fails first. */
  response: Promise<{ status: number; headers: Headers }>;
  /** The answer's body as it arrives; reading it is what lets more arrive (HTTP/2 flow control). */
  body: ReadableStream<Uint8Array>;
  /** Sends request-body bytes; resolves once HTTP/2 has taken them, rejects once the stream is gone. */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends the request body (END_STREAM): the answer may go on. */
  end(): void;
  /** Resets the stream (RST_STREAM, CANCEL): upstream stops at once. Safe to call more than once. */
  cancel(): void;
}

/** Idle sessions close after this long without a stream; the next call opens a new one. */
const SESSION_IDLE_MS = 60_000;

const sessions = new Map<string, http2.ClientHttp2Session>();

function sessionFor(origin: string): http2.ClientHttp2Session {
  const open = sessions.get(origin);
  if (open && !open.closed && !open.destroyed) return open;
  const session = http2.connect(origin);
  const drop = () => {
    if (sessions.get(origin) === session) sessions.delete(origin);
  };
  // A failed session fails its streams (they report it); the listener keeps the process from treating it as unhandled.
  session.on("error", drop);
  session.on("goaway", drop);
  session.on("close", drop);
  session.setTimeout(SESSION_IDLE_MS, () => session.close());
  // Only streams in flight matter: an idle pooled session must not keep a stopping gateway alive.
  session.unref();
  sessions.set(origin, session);
  return session;
}

/** Opens `method href` with these headers (the signed ones) and leaves its body open for `write`. */
export function openDuplex(href: string, headers: Record<string, string>, method: string): DuplexExchange {
  const url = new URL(href);
  const stream = sessionFor(url.origin).request({ ...headers, ":method": method, ":path": href.slice(url.origin.length) }, { endStream: false });
  let settled = false;
  let ended = false;
  let reset = false;
  const cancel = () => {
    reset = true;
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  };

  const response = new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
    stream.once("response", (raw) => {
      settled = true;
      resolve({ status: Number(raw[":status"]), headers: headersOf(raw) });
    });
    stream.once("error", (error) => {
      if (!settled) reject(error);
    });
    stream.once("close", () => {
      if (!settled) reject(new Error(`the HTTP/2 stream closed before an answer (code ${stream.rstCode})`));
    });
  });
  // A rejection nobody awaited (the caller gave up first) is not a crash.
  response.catch(() => {});

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // Deno's node:http2 may hand out DATA before the `response` event: the body is queued until it is read.
        stream.on("data", (chunk: Buffer) => {
          try {
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          } catch {
            return; // The reader cancelled: the stream is being reset.
          }
          if ((controller.desiredSize ?? 0) <= 0) stream.pause();
        });
        // After a reset the runtimes may still emit `end`: the body did not complete, it was cut.
        stream.once("end", () => {
          if (reset) return;
          ended = true;
          try {
            controller.close();
          } catch {
            // Already cancelled by the reader.
          }
        });
        stream.once("close", () => {
          if (ended) return;
          try {
            controller.error(new Error(reset ? "the HTTP/2 stream was reset by the gateway" : `upstream reset the HTTP/2 stream (code ${stream.rstCode})`));
          } catch {
            // Already cancelled by the reader.
          }
        });
      },
      pull() {
        stream.resume();
      },
      cancel,
    },
    { highWaterMark: 0 },
  );

  return {
    response,
    body,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        if (stream.destroyed || stream.writableEnded) return reject(new Error("the upstream HTTP/2 stream is closed"));
        stream.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    end: () => {
      if (!stream.destroyed && !stream.writableEnded) stream.end();
    },
    cancel,
  };
}

function headersOf(raw: http2.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}
