/**
 * Same-origin checks for cookie-authenticated writes. Browsers send `Origin` on every cross-origin request and on
 * same-origin POST/DELETE fetches; a write whose `Origin` is missing or names another host is refused.
 * `Sec-Fetch-Site`, when sent, must say same-origin too.
 */
export function isSameOriginWrite(request: Request): boolean {
  const origin = request.headers.get("origin");
  const host = request.headers.get("host");
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
