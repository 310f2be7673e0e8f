import { randomBytes } from "node:crypto";
import { timingSafeEqual } from "node:crypto";
import { secretDigest } from "../auth/timing-safe.ts";

export interface UiSession {
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  ttlMs: number;
  /** Oldest sessions are dropped beyond this many (each sign-in makes one). */
  maxSessions: number;
  now?: () => number;
}

/**
 * Server-side sessions of the admin page, in this process's memory: the cookie holds only a random id, stored here
 * as its SHA-256, so signing out or expiring ends the session whatever the browser keeps. Several instances
 * behind a load balancer need sticky sessions for /ui (each instance knows only its own sessions).
 */
export function createSessionStore(options: SessionStoreOptions) {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, UiSession>();
  const idOf = (cookieValue: string) => secretDigest(cookieValue).toString("hex");

  const sweep = () => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
  };

  return {
    /** A new session; the returned `cookieValue` goes to the browser and nowhere else. */
    open(): { cookieValue: string; session: UiSession } {
      sweep();
      while (sessions.size >= options.maxSessions) sessions.delete(sessions.keys().next().value!);
      const cookieValue = randomBytes(32).toString("base64url");
      const session = { csrfToken: randomBytes(32).toString("base64url"), expiresAt: now() + options.ttlMs };
      sessions.set(idOf(cookieValue), session);
      return { cookieValue, session };
    },
    /** The live session for this cookie value, or null (unknown, ended or expired). */
    get(cookieValue: string): UiSession | null {
      const id = idOf(cookieValue);
      const session = sessions.get(id);
      if (!session) return null;
      if (session.expiresAt <= now()) {
        sessions.delete(id);
        return null;
      }
      return session;
    },
    close(cookieValue: string): void {
      sessions.delete(idOf(cookieValue));
    },
    size: () => sessions.size,
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: UiSession, presented: string | null): boolean {
  if (!presented) return false;
  return timingSafeEqual(secretDigest(presented), secretDigest(session.csrfToken));
}
