/**
 * MAX_REQUEST_BODY_MB for every path and every size, answered AWS-shaped. The runtimes' own limits answer a bare
 * 413 (Bun) or none at all (Deno), so the servers are given no limit of their own and it is enforced here: a declared
 * length over the limit is refused before a byte is read; a body without one (chunked, HTTP/2 without
 * content-length) is counted as it flows and fails with BodyRefused past the limit, which the core answers 413.
 */
import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
import { isUnderPrefix } from "../bedrock/raw-path.ts";
import { BodyRefused } from "../pipeline/read-body.ts";
import { refuse, renderRefusal } from "../pipeline/refusal.ts";

const tooLarge = (maxBytes: number) => refuse.tooLarge(`The request body is larger than the gateway's limit of ${maxBytes} bytes (MAX_REQUEST_BODY_MB).`);

export function limitRequestBodies(fetch: (request: Request) => Response | Promise<Response>, maxBytes: number) {
  return (request: Request): Response | Promise<Response> => {
    const length = request.headers.get("content-length");
    if (length !== null) {
      // No `Connection: close` here: Bun would send it on HTTP/2 too, where it is malformed and the answer is lost.
      if (Number(length) > maxBytes) return renderRefusal(tooLarge(maxBytes));
      return fetch(request);
    }
    // /bedrock counts its own bodies as it reads them (readBodyWithin), and most of its calls are never read at all
    // when refused: wrapping them would only cost. Every other path parses with a reader that does not count.
    if (request.body === null || isUnderPrefix(request.url, BEDROCK_PREFIX)) return fetch(request);
    return fetch(withCountedBody(request, maxBytes));
  };
}

/**
 * Pulls from the original body only when the core reads (highWaterMark 0): a body nobody reads leaves nothing
 * pending. An eager `pipeThrough` kept every unread body alive on Deno (~3 KB per reset HTTP/2 stream, measured).
 */
function withCountedBody(request: Request, maxBytes: number): Request {
  const source = request.body!;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let seen = 0;
  const counted = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= source.getReader();
        const next = await reader.read();
        if (next.done) return controller.close();
        seen += next.value.byteLength;
        if (seen > maxBytes) {
          controller.error(new BodyRefused(tooLarge(maxBytes)));
          void reader.cancel().catch(() => {});
          return;
        }
        controller.enqueue(next.value);
      },
      cancel: (reason) => (reader ?? source).cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Request(request.url, { method: request.method, headers: request.headers, body: counted, signal: request.signal, duplex: "half" } as RequestInit);
}
