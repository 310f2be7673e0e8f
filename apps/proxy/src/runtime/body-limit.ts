/**
 * MAX_REQUEST_BODY_MB for every path and every size, answered AWS-shaped. The runtimes' own limits answer a bare
 * 413 (Bun) or none at all (Deno), so the servers are given no limit of their own and it is enforced here: a declared
 * length over the limit is refused before a byte is read; a body without one (chunked, HTTP/2 without
 * content-length) is counted as it flows and fails with BodyTooLarge past the limit, which the core answers 413.
 */
import { errors } from "../bedrock/errors.ts";
import { BodyTooLarge } from "../bedrock/read-body.ts";

export function limitRequestBodies(fetch: (request: Request) => Response | Promise<Response>, maxBytes: number) {
  return (request: Request): Response | Promise<Response> => {
    const length = request.headers.get("content-length");
    if (length !== null) {
      // The unread body is not drained: the connection closes after the answer.
      if (Number(length) > maxBytes) return errors.tooLarge(new BodyTooLarge(maxBytes).message, { connection: "close" });
      return fetch(request);
    }
    if (request.body === null) return fetch(request);
    return fetch(withCountedBody(request, maxBytes));
  };
}

function withCountedBody(request: Request, maxBytes: number): Request {
  let seen = 0;
  const counted = request.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new BodyTooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request.url, { method: request.method, headers: request.headers, body: counted, signal: request.signal, duplex: "half" } as RequestInit);
}
