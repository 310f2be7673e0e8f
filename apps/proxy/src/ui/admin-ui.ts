import { secretMatcher } from "../auth/timing-safe.ts";
import { AdminError, adminErrorResponse } from "../admin/errors.ts";
import { readJsonObject } from "../admin/request-body.ts";
import { checkBody } from "../admin/spec-validation.ts";
import { isSameOriginWrite, isSecureRequest } from "./request-origin.ts";
import { SESSION_COOKIE, sessionOf, writeRefusal } from "./session-auth.ts";
import type { SessionStore, UiSession } from "./sessions.ts";
import { loadStaticAssets } from "./static.ts";

export const UI_PREFIX = "/ui";
/** Where the admin API answers the page's session (compose/admin.ts mounts it there); never /bedrock. */
export const UI_API_PREFIX = "/ui/api";

export interface AdminUiOptions {
  masterKey: string | null;
  /** How long a sign-in lasts (UI_SESSION_TTL_SECONDS, default 8 hours). */
  sessionTtlSeconds: number;
  /** The sessions, kept in the gateway's database; the admin API's session hook reads the same. */
  sessions: SessionStore;
  assetDir?: string;
}

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
 * The admin page at `/ui`: static assets, and sign-in with the master key exchanged for an HttpOnly session
 * cookie. The admin API under `/ui/api/...` is the gateway's own (`next`), whose authentication hook takes that
 * session there (ui/session-auth.ts: writes need the CSRF token and this origin); its answers get the page's
 * security headers here. Everything else goes to `next` untouched: the bearer API is unchanged.
 */
export function withAdminUi(next: { fetch(request: Request): Response | Promise<Response> }, options: AdminUiOptions) {
  const assets = loadStaticAssets(options.assetDir);
  const { sessions } = options;
  const isMaster = options.masterKey ? secretMatcher(options.masterKey) : () => false;

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
    const current = await sessionOf(sessions, request);
    if (request.method === "GET") return current ? withHeaders(Response.json(sessionJson(current.session))) : refuse(401, "Not signed in.");
    if (request.method === "DELETE") {
      if (!current) return refuse(401, "Not signed in.");
      const refusal = writeRefusal(request, current.session);
      if (refusal) return refuse(403, refusal);
      await sessions.close(current.cookieValue);
      return withHeaders(Response.json({ signed_out: true }, { headers: { "set-cookie": cookie(request, "", 0) } }));
    }
    return refuse(405, `${request.method} is not allowed here.`);
  };

  const api = async (request: Request): Promise<Response> => {
    const response = await next.fetch(request);
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
      if (pathname.startsWith("/api/")) return api(request);
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

function sessionJson(session: UiSession) {
  return { csrf_token: session.csrfToken, expires_at: new Date(session.expiresAt).toISOString() };
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
