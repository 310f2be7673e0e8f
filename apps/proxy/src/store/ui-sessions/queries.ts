import type { SqlDatabase } from "../sql/database.ts";
import type { UiSessionStore } from "./types.ts";

export function uiSessionMethods(db: SqlDatabase): UiSessionStore {
  return {
    async createUiSession(row) {
      await db.run("INSERT INTO ui_sessions (id, csrf_token, expires_at) VALUES (?, ?, ?)", [row.id, row.csrfToken, row.expiresAt]);
    },
    async getUiSession(id) {
      const [r] = await db.all("SELECT id, csrf_token, expires_at FROM ui_sessions WHERE id = ?", [id]);
      return r ? { id: r.id as string, csrfToken: r.csrf_token as string, expiresAt: Number(r.expires_at) } : null;
    },
    async deleteUiSession(id) {
      await db.run("DELETE FROM ui_sessions WHERE id = ?", [id]);
    },
    deleteExpiredUiSessions: (now) => db.run("DELETE FROM ui_sessions WHERE expires_at <= ?", [now]),
  };
}
