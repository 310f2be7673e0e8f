import type { DatabaseSync } from "node:sqlite";
import type { UiSessionStore } from "./types.ts";

export function sqliteUiSessionMethods(db: DatabaseSync): UiSessionStore {
  return {
    async createUiSession(row) {
      db.prepare("INSERT INTO ui_sessions (id, csrf_token, expires_at) VALUES (?, ?, ?)").run(row.id, row.csrfToken, row.expiresAt);
    },
    async getUiSession(id) {
      const r = db.prepare("SELECT id, csrf_token, expires_at FROM ui_sessions WHERE id = ?").get(id);
      return r ? { id: r.id as string, csrfToken: r.csrf_token as string, expiresAt: Number(r.expires_at) } : null;
    },
    async deleteUiSession(id) {
      db.prepare("DELETE FROM ui_sessions WHERE id = ?").run(id);
    },
    async deleteExpiredUiSessions(now) {
      return Number(db.prepare("DELETE FROM ui_sessions WHERE expires_at <= ?").run(now).changes);
    },
  };
}
