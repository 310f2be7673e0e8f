/**
 * MAX_REQUEST_BODY_MB for every path and every size, answered AWS-shaped, and BODY_READ_TIMEOUT_MS and
 * BODY_MIN_BYTES_PER_SEC for every body the gateway reads. The runtimes' own limits answer a bare 413 (Bun) or none
 * at all (Deno), and neither bounds the time a body takes, so the servers are given no limit of their own and it
 * is enforced here: a declared length over the limit is refused before a byte is read; any other body is read
 * through BoundedBodyReader, which fails with BodyRefused past a limit (the core answers 413 or 408).
 */
import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
import { isUnderPrefix } from "../bedrock/raw-path.ts";
import { type BodyLimits, BoundedBodyReader } from "../pipeline/read-body.ts";
import { refuse, renderRefusal } from "../pipeline/refusal.ts";

const tooLarge = (maxBytes: number) => refuse.tooLarge(`The request body is larger than the gateway's limit of ${maxBytes} bytes (MAX_REQUEST_BODY_MB).`);

export function limitRequestBodies(fetch: (request: Request) => Response | Promise<Response>, limits: BodyLimits) {
  return (request: Request): Response | Promise<Response> => {
    const length = request.headers.get("content-length");
    // No `Connection: close` here: Bun would send it on HTTP/2 too, where it is malformed and the answer is lost.
    if (length !== null && Number(length) > limits.maxBytes) return renderRefusal(tooLarge(limits.maxBytes));
    // /bedrock reads its own bodies within the same limits (readBodyWithin), and most of its calls are never read
    // at all when refused: wrapping them would only cost. Every other path parses with a reader that bounds nothing.
    // The path first: on Bun, `request.body` makes a stream object for every request that asks.
    if (isUnderPrefix(request.url, BEDROCK_PREFIX) || request.body === null) return fetch(request);
    return fetch(withBoundedBody(request, limits));
  };
}

/**
 * Pulls from the original body only when the core reads (highWaterMark 0): a body nobody reads leaves nothing
 * pending, and its limits start with the first read. An eager `pipeThrough` kept every unread body alive on Deno
 * (~3 KB per reset HTTP/2 stream, measured).
 */
function withBoundedBody(request: Request, limits: BodyLimits): Request {
  const source = request.body!;
  let reader: BoundedBodyReader | undefined;
  const bounded = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= new BoundedBodyReader(source, limits);
        try {
          const chunk = await reader.next();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        } catch (error) {
          controller.error(error);
        }
      },
      // Released, not cancelled: the runtime edge ends what is left of it (see BoundedBodyReader).
      cancel: () => reader?.release(),
    },
    { highWaterMark: 0 },
  );
  return new Request(request.url, { method: request.method, headers: request.headers, body: bounded, signal: request.signal, duplex: "half" } as RequestInit);
}
