/**
 * Deno only: after a refusal sent before the request body was read (a bad key, a 413), Deno's HTTP/1.1 server
 * answers `Connection: close` and then reads and discards the rest of the body before closing, with no time limit:
 * a client trickling a large declared body, or sending nothing more, held the connection for ever (measured on
 * Deno 2.9.6; Deno.serve has no idle or body timeout, denoland/deno#3515, and no way to close a connection).
 * Neither `Connection: close` nor cancelling the body before answering changes that: a body cancelled before the
 * answer is drained the same way.
 *
 * What Deno does offer: a body whose stream is locked when the answer is written stays with its reader, and the
 * connection is dropped once that stream is cancelled. So the body is locked here, before the answer leaves, and
 * cancelled LINGER_MS later (the client has read its answer by then; closing at once could reset the connection
 * before it did). Nothing is read meanwhile: Deno cannot abort a pending read of a request body (its resource has
 * no read cancellation), so a read left waiting would keep the connection until the client sent another byte.
 *
 * For the same reason a body cut in the middle of a read (BODY_MIN_BYTES_PER_SEC, BODY_READ_TIMEOUT_MS) whose
 * client sends nothing more keeps its connection until the client sends or disconnects: the call ends at once,
 * the socket does not (SECURITY.md, "Known limits"). On HTTP/2 the runtime resets the stream after the answer.
 */
const LINGER_MS = 5_000;

export function closeAfterRefusal(fetch: (request: Request) => Response | Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    const response = await fetch(request);
    if (response.status >= 400) lingerThenClose(request);
    return response;
  };
}

function lingerThenClose(request: Request): void {
  // A body read to its end is still locked by its reader, and a request without one has none: nothing to do.
  const body = request.body;
  if (body === null || body.locked) return;
  const reader = body.getReader();
  setTimeout(() => void reader.cancel().catch(() => {}), LINGER_MS);
}
