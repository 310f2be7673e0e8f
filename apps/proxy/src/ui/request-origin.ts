import { PLACEHOLDER_ORIGIN } from "../runtime/request-target.ts";

/**
 * Same-origin checks for cookie-authenticated writes. Browsers send `Origin` on every cross-origin request and on
 * same-origin POST/DELETE fetches; a write whose `Origin` is missing or names another host is refused.
 * `Sec-Fetch-Site`, when sent, must say same-origin too.
 */
export function isSameOriginWrite(request: Request): boolean {
  const origin = request.headers.get("origin");
  const host = authorityOf(request);
  if (!origin || !host) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  if (originHost !== host) return false;
  const site = request.headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}

/** TLS as the browser sees it: directly, or through a front proxy that says so. */
export function isSecureRequest(request: Request): boolean {
  return request.url.startsWith("https:") || request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/**
 * The host the client addressed: the Host header (HTTP/1.1), else the request URL's authority, which the runtime
 * builds from HTTP/2's `:authority` (Deno's requests over HTTP/2 carry no Host header; browsers always speak HTTP/2
 * to a TLS origin). The client sets both alike, so neither is trusted more than the other; a URL whose authority
 * the edge could not use (runtime/request-target.ts) has none.
 */
function authorityOf(request: Request): string | null {
  const host = request.headers.get("host");
  if (host) return host;
  if (request.url.startsWith(PLACEHOLDER_ORIGIN + "/")) return null;
  try {
    return new URL(request.url).host || null;
  } catch {
    return null;
  }
}
