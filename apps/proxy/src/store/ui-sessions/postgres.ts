import type postgres from "postgres";
import type { UiSessionStore } from "./types.ts";

export function postgresUiSessionMethods(sql: postgres.Sql): UiSessionStore {
  return {
    async createUiSession(row) {
      await sql`INSERT INTO ui_sessions (id, csrf_token, expires_at) VALUES (${row.id}, ${row.csrfToken}, ${row.expiresAt})`;
    },
    async getUiSession(id) {
      const [r] = await sql`SELECT id, csrf_token, expires_at FROM ui_sessions WHERE id = ${id}`;
      return r ? { id: r.id as string, csrfToken: r.csrf_token as string, expiresAt: Number(r.expires_at) } : null;
    },
    async deleteUiSession(id) {
      await sql`DELETE FROM ui_sessions WHERE id = ${id}`;
    },
    async deleteExpiredUiSessions(now) {
      return (await sql`DELETE FROM ui_sessions WHERE expires_at <= ${now}`).count;
    },
  };
}
