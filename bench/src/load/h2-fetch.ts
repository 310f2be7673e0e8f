/**
 * A fetch over HTTP/2 cleartext with prior knowledge (what the AWS SDKs' default handler opens for `http://`):
 * requests are spread round-robin over a few long-lived sessions, each a multiplexed connection, as an SDK client
 * or a pool of them would. Answers are web Responses so the generator reads them exactly as it reads fetch's.
 */
import http2 from "node:http2";
import { Readable } from "node:stream";

export interface H2Init {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
}

export function h2Fetcher(origin: string, sessions: number): (url: string, init: H2Init) => Promise<Response> {
  const pool: (http2.ClientHttp2Session | null)[] = Array.from({ length: sessions }, () => null);
  let next = 0;
  const pick = () => {
    const i = next++ % sessions;
    let session = pool[i];
    if (!session || session.destroyed || session.closed) {
      session = http2.connect(origin);
      session.on("error", () => {});
      pool[i] = session;
    }
    return session;
  };
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const stream = pick().request({ ":method": init.method, ":path": target.pathname + target.search, ...init.headers });
      let answered = false;
      const abort = () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        if (!answered) reject(new Error("timed out before the response headers"));
      };
      init.signal?.addEventListener("abort", abort, { once: true });
      stream.once("error", (error) => answered || reject(error));
      stream.once("close", () => {
        init.signal?.removeEventListener("abort", abort);
        // A stream reset or a session gone before any answer: the request failed, it must not hang the run.
        if (!answered) reject(new Error(`stream closed before the response (code ${stream.rstCode})`));
      });
      stream.once("response", (headers) => {
        answered = true;
        resolve(new Response(Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, { status: Number(headers[":status"]) }));
      });
      stream.end(init.body);
    });
}
