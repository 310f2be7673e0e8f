import { randomBytes, timingSafeEqual } from "node:crypto";
import { secretDigest } from "../auth/timing-safe.ts";
import type { UiSessionStore } from "../store/ui-sessions/types.ts";

export interface UiSession {
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  ttlMs: number;
  store: UiSessionStore;
  now?: () => number;
}

/** Expired rows are swept at most this often, on a sign-in. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Server-side sessions of the admin page, in the database (every instance behind a load balancer knows them):
 * the cookie holds only a random id, stored as its SHA-256, so signing out or expiring ends the session whatever
 * the browser keeps.
 */
export function createSessionStore(options: SessionStoreOptions) {
  const { store } = options;
  const now = options.now ?? Date.now;
  const idOf = (cookieValue: string) => secretDigest(cookieValue).toString("hex");
  let lastSweep = 0;

  return {
    /** A new session; the returned `cookieValue` goes to the browser and nowhere else. */
    async open(): Promise<{ cookieValue: string; session: UiSession }> {
      if (now() - lastSweep > SWEEP_EVERY_MS) {
        lastSweep = now();
        await store.deleteExpiredUiSessions(now());
      }
      const cookieValue = randomBytes(32).toString("base64url");
      const session = { csrfToken: randomBytes(32).toString("base64url"), expiresAt: now() + options.ttlMs };
      await store.createUiSession({ id: idOf(cookieValue), ...session });
      return { cookieValue, session };
    },
    /** The live session for this cookie value, or null (unknown, ended or expired). */
    async get(cookieValue: string): Promise<UiSession | null> {
      const row = await store.getUiSession(idOf(cookieValue));
      if (!row || row.expiresAt <= now()) return null;
      return { csrfToken: row.csrfToken, expiresAt: row.expiresAt };
    },
    async close(cookieValue: string): Promise<void> {
      await store.deleteUiSession(idOf(cookieValue));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: UiSession, presented: string | null): boolean {
  if (!presented) return false;
  return timingSafeEqual(secretDigest(presented), secretDigest(session.csrfToken));
}
