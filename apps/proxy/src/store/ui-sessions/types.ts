/** Admin page sessions, kept in the database so every instance behind a load balancer knows them. */
export interface UiSessionRow {
  /** SHA-256 (hex) of the cookie value; the value itself is never stored. */
  id: string;
  csrfToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface UiSessionStore {
  createUiSession(row: UiSessionRow): Promise<void>;
  getUiSession(id: string): Promise<UiSessionRow | null>;
  deleteUiSession(id: string): Promise<void>;
  /** Removes sessions expired at `now` (epoch ms); returns how many. */
  deleteExpiredUiSessions(now: number): Promise<number>;
}
