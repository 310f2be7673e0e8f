import { secretMatcher } from "../auth/timing-safe.ts";
import { AdminError, adminErrorResponse } from "../admin/errors.ts";
import { readJsonObject } from "../admin/request-body.ts";
import { checkBody } from "../admin/spec-validation.ts";
import { isSameOriginWrite, isSecureRequest } from "./request-origin.ts";
import type { UiSessionStore } from "../store/ui-sessions/types.ts";
import { csrfMatches, createSessionStore, type UiSession } from "./sessions.ts";
import { loadStaticAssets } from "./static.ts";

export const UI_PREFIX = "/ui";
export const SESSION_COOKIE = "bgw_session";

export interface AdminUiOptions {
  masterKey: string | null;
  /** How long a sign-in lasts (UI_SESSION_TTL_SECONDS, default 8 hours). */
  sessionTtlSeconds: number;
  /** Where sessions are kept: the gateway's database. */
  store: UiSessionStore;
  assetDir?: string;
}

/** Admin API paths the page may reach through its session; never /bedrock (the session is not a gateway key). */
const apiPrefixes = ["/key/", "/spend/", "/user/", "/team/", "/end_user/", "/customer/", "/health/"];

const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

/**
 * The admin page at `/ui`: static assets, sign-in with the master key exchanged for an HttpOnly session cookie,
 * and the admin API under `/ui/api/...` for that session. A session request is re-issued to the gateway's own
 * routes with the master key as bearer (the key stays on the server); writes need the session's CSRF token in
 * `x-csrf-token` and a same-origin `Origin`. Everything else goes to `next` untouched: the bearer API is unchanged.
 */
export function withAdminUi(next: { fetch(request: Request): Response | Promise<Response> }, options: AdminUiOptions) {
  const assets = loadStaticAssets(options.assetDir);
  const sessions = createSessionStore({ ttlMs: options.sessionTtlSeconds * 1000, store: options.store });
  const isMaster = options.masterKey ? secretMatcher(options.masterKey) : () => false;

  const sessionOf = async (request: Request): Promise<{ cookieValue: string; session: UiSession } | null> => {
    const cookieValue = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
    // Only a value shaped like one we issue (32 random bytes, base64url) is looked up in the database.
    const session = cookieValue && /^[\w-]{43}$/.test(cookieValue) ? await sessions.get(cookieValue) : null;
    return session && cookieValue ? { cookieValue, session } : null;
  };

  const cookie = (request: Request, value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=${UI_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isSecureRequest(request) ? "; Secure" : ""}`;

  const signIn = async (request: Request): Promise<Response> => {
    if (!isSameOriginWrite(request)) return refuse(403, "Sign-in must come from this gateway's own page (Origin check).");
    if (!options.masterKey) return refuse(403, "The admin page needs a master key: set MASTER_KEY and restart the gateway.");
    let body: Record<string, unknown>;
    try {
      body = await readJsonObject(request);
    } catch (error) {
      if (error instanceof AdminError) return refuse(error.status, error.message);
      throw error;
    }
    const checked = checkBody("UiSignInRequest", body);
    if ("message" in checked) return refuse(400, checked.message);
    const key = checked.value.master_key;
    // No lockout after failures: the bearer API takes the same key without one, and a lockout would let anyone
    // keep the operator out. The key's entropy is the defence (compared in constant time).
    if (!isMaster(key)) return refuse(401, "That is not the master key.");
    const { cookieValue, session } = await sessions.open();
    return withHeaders(Response.json(sessionJson(session), { headers: { "set-cookie": cookie(request, cookieValue, options.sessionTtlSeconds) } }));
  };

  const sessionRoute = async (request: Request): Promise<Response> => {
    if (request.method === "POST") return signIn(request);
    const current = await sessionOf(request);
    if (request.method === "GET") return current ? withHeaders(Response.json(sessionJson(current.session))) : refuse(401, "Not signed in.");
    if (request.method === "DELETE") {
      if (!current) return refuse(401, "Not signed in.");
      const refusal = writeRefusal(request, current.session);
      if (refusal) return refusal;
      await sessions.close(current.cookieValue);
      return withHeaders(Response.json({ signed_out: true }, { headers: { "set-cookie": cookie(request, "", 0) } }));
    }
    return refuse(405, `${request.method} is not allowed here.`);
  };

  const api = async (request: Request, apiPath: string): Promise<Response> => {
    const current = await sessionOf(request);
    if (!current) return refuse(401, "Not signed in, or the session has ended: sign in again.");
    if (!apiPrefixes.some((p) => apiPath.startsWith(p))) return refuse(404, `No admin route ${apiPath} for the page.`);
    if (request.method !== "GET" && request.method !== "HEAD") {
      const refusal = writeRefusal(request, current.session);
      if (refusal) return refusal;
    }
    const url = new URL(request.url);
    const headers = new Headers({ authorization: `Bearer ${options.masterKey}` });
    for (const name of ["content-type", "accept", "content-length"]) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const inner = new Request(new URL(apiPath + url.search, url.origin), {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // @ts-expect-error: needed by fetch implementations for a stream body; not in every lib's RequestInit.
      duplex: "half",
    });
    const response = await next.fetch(inner);
    const out = new Response(response.body, response);
    out.headers.set("cache-control", "no-store");
    return withHeaders(out);
  };

  const page = (pathname: string): Response => {
    if (!assets.built) {
      return withHeaders(new Response("The admin page is not built: run `npm run build` (npm ci does it) and restart the gateway.\n", { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } }));
    }
    const asset = assets.get(pathname);
    if (!asset) return refuse(404, `No page ${UI_PREFIX}${pathname}.`);
    return withHeaders(
      new Response(asset.body, { headers: { "content-type": asset.type, "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-store" } }),
    );
  };

  return {
    fetch(request: Request): Response | Promise<Response> {
      const pathname = uiPathOf(request.url);
      if (pathname === null) return next.fetch(request);
      if (pathname === "/session") return sessionRoute(request);
      if (pathname.startsWith("/api/")) return api(request, pathname.slice("/api".length));
      if (request.method !== "GET" && request.method !== "HEAD") return refuse(405, `${request.method} is not allowed here.`);
      return page(pathname);
    },
  };
}

/** The path under /ui (`""` for /ui itself), or null for any other path. Cheap: checked for every request. */
function uiPathOf(url: string): string | null {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0 || !url.startsWith(UI_PREFIX, start)) return null;
  const after = url.charAt(start + UI_PREFIX.length);
  if (after !== "" && after !== "/" && after !== "?") return null;
  const end = url.indexOf("?", start);
  return url.slice(start + UI_PREFIX.length, end < 0 ? undefined : end);
}

/** A cookie-authenticated write must carry the session's CSRF token and come from this origin. */
function writeRefusal(request: Request, session: UiSession): Response | null {
  if (!isSameOriginWrite(request)) return refuse(403, "Cross-site request refused (Origin check).");
  if (!csrfMatches(session, request.headers.get("x-csrf-token"))) return refuse(403, "Missing or wrong x-csrf-token.");
  return null;
}

function sessionJson(session: UiSession) {
  return { csrf_token: session.csrfToken, expires_at: new Date(session.expiresAt).toISOString() };
}

function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

function refuse(status: 400 | 401 | 403 | 404 | 405, message: string): Response {
  const response = status === 405 ? Response.json({ message, type: "invalid_request_error" }, { status }) : adminErrorResponse(status, message);
  return withHeaders(response);
}

function withHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(securityHeaders)) response.headers.set(name, value);
  if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
  return response;
}
