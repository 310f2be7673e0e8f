/**
 * Only the request target (path and query) may decide where a request goes, never the Host header.
 * The runtimes build `request.url` from Host differently: Deno concatenates `http://` + Host + path, so
 * `Host: x/key/list?` turned `GET /bedrock/...` into `/key/list`; Bun leaves the URL relative (`/path`) when Host
 * is empty, invalid or absent (HTTP/1.0), which the core's `new URL` rejects. Both are repaired here, at the edge,
 * before the web-standard core sees the request.
 */
import { refuse, renderRefusal } from "../pipeline/refusal.ts";

/** host[:port], a bracketed IPv6 literal, nothing that could start a path, query or userinfo. */
const PLAIN_AUTHORITY = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/**
 * Elysia finds the path by searching for `/` from index 11 (past `http://` and a host of at least four
 * characters): under a shorter Host, `http://gw/ab/key/list` routed as `/key/list`. Such URLs get the placeholder.
 */
const ROUTER_PATH_SEARCH_FROM = 11;
/**
 * The origin given to requests whose own authority cannot be trusted into a URL. `.invalid` never names a real
 * host (RFC 2606), so no browser's Origin can equal it: the admin page's Origin check (ui/request-origin.ts), which
 * reads the URL's host when there is no Host header (HTTP/2), refuses such a request instead of matching a guess.
 */
export const PLACEHOLDER_ORIGIN = "http://unknown-host.invalid";

export type RequestTarget = { ok: true; url: string } | { ok: false; response: Response };

/** The URL the core should see: `request.url` itself (the common case, no copy) or one rebuilt from the target. */
export function requestTarget(request: Request): RequestTarget {
  if (request.method === "CONNECT") return refuseTarget(405, "CONNECT is not supported: this is not a forward proxy.");
  const url = request.url;
  if (url.startsWith("/")) return { ok: true, url: PLACEHOLDER_ORIGIN + url };
  const schemeEnd = url.indexOf("://");
  if (schemeEnd < 0) return refuseTarget(400, "The request target must be a path (origin-form), e.g. `POST /bedrock/model/{modelId}/converse`.");
  const authorityStart = schemeEnd + 3;
  const host = request.headers.get("host");
  // Deno puts the Host header verbatim between `//` and the path; skip exactly that, whatever it contains.
  const pathStart = host && url.startsWith(host, authorityStart) ? authorityStart + host.length : url.indexOf("/", authorityStart);
  const target = pathStart < 0 ? "" : url.slice(pathStart);
  if (!target.startsWith("/")) return refuseTarget(400, "The request target must be a path (origin-form), e.g. `POST /bedrock/model/{modelId}/converse`.");
  const authority = url.slice(authorityStart, pathStart);
  if (pathStart === url.indexOf("/", authorityStart) && pathStart >= ROUTER_PATH_SEARCH_FROM && PLAIN_AUTHORITY.test(authority)) return { ok: true, url };
  return { ok: true, url: PLACEHOLDER_ORIGIN + target };
}

/** The request with its URL repaired, the same object when nothing needed repair. */
export function withTarget(request: Request, url: string): Request {
  if (url === request.url) return request;
  const hasBody = request.body !== null;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? request.body : undefined,
    signal: request.signal,
    // @ts-expect-error: `duplex` is required by fetch implementations for a stream body, missing from the DOM lib.
    duplex: hasBody ? "half" : undefined,
  });
}

/** Wraps the core's handler: repaired targets in, a small JSON error for what has no target at all. */
export function guardRequestTarget(fetch: (request: Request) => Response | Promise<Response>) {
  return (request: Request): Response | Promise<Response> => {
    const target = requestTarget(request);
    return target.ok ? fetch(withTarget(request, target.url)) : target.response;
  };
}

function refuseTarget(status: number, message: string): RequestTarget {
  return { ok: false, response: renderRefusal({ status, type: "ValidationException", message }) };
}

/** An error the runtime caught outside the core: never a stack, a path or a source line, whatever the runtime's default. */
export function internalErrorResponse(): Response {
  return renderRefusal(refuse.internal("Internal server error."));
}
