import type { AdminCaller } from "../admin/auth.ts";
import { AdminError } from "../admin/errors.ts";
import { isSameOriginWrite } from "./request-origin.ts";
import { csrfMatches, type SessionStore, type UiSession } from "./sessions.ts";

export const SESSION_COOKIE = "bgw_session";

/** The session a request's cookie names, if it is live. Only a value shaped like one we issue (32 random bytes, base64url) is looked up. */
export async function sessionOf(sessions: SessionStore, request: Request): Promise<{ cookieValue: string; session: UiSession } | null> {
  const cookieValue = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  const session = cookieValue && /^[\w-]{43}$/.test(cookieValue) ? await sessions.get(cookieValue) : null;
  return session && cookieValue ? { cookieValue, session } : null;
}

/** Why a cookie-authenticated write is refused (it must carry the session's CSRF token and come from this origin), or null. */
export function writeRefusal(request: Request, session: UiSession): string | null {
  if (!isSameOriginWrite(request)) return "Cross-site request refused (Origin check).";
  if (!csrfMatches(session, request.headers.get("x-csrf-token"))) return "Missing or wrong x-csrf-token.";
  return null;
}

/**
 * Who calls the admin API under `/ui/api`: the admin page, through the session it opened with the master key,
 * so the master's rights; a write also needs the CSRF token and this origin. The cookie is no credential anywhere else.
 */
export function createSessionAuth(sessions: SessionStore) {
  return async (request: Request): Promise<AdminCaller> => {
    const current = await sessionOf(sessions, request);
    if (!current) throw new AdminError(401, "Not signed in, or the session has ended: sign in again.");
    if (request.method !== "GET" && request.method !== "HEAD") {
      const refusal = writeRefusal(request, current.session);
      if (refusal) throw new AdminError(403, refusal);
    }
    return { kind: "master" };
  };
}

function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
