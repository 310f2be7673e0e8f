/**
 * Bun only: a refusal sent before the request body was read (a bad key, a 413) leaves Bun reading and discarding
 * the rest of the body for as long as the client trickles it, with idle timeouts off. Giving that one request a
 * short idle timeout makes Bun close the HTTP/1.1 connection a few seconds after the answer. A `Connection: close`
 * header would do it too, but Bun also sends it on HTTP/2 where it is malformed, and the runtime does not tell
 * the handler which protocol a request came on. On HTTP/2 the per-request timeout leaves the session alone (measured).
 */
const CLOSE_AFTER_S = 5;

interface BunServer {
  timeout(request: Request, seconds: number): void;
}

export function closeAfterRefusal(fetch: (request: Request) => Response | Promise<Response>) {
  return (request: Request, server: BunServer): Response | Promise<Response> => {
    const hasBody = request.headers.get("content-length") !== null ? request.headers.get("content-length") !== "0" : request.body !== null;
    if (!hasBody) return fetch(request);
    const close = (response: Response) => {
      if (response.status >= 400) server.timeout(request, CLOSE_AFTER_S);
      return response;
    };
    const answer = fetch(request);
    return answer instanceof Response ? close(answer) : answer.then(close);
  };
}
