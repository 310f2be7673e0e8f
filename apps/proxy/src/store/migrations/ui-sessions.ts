/** Admin page sessions (ui/sessions.ts): shared by every instance, so /ui needs no sticky load balancing. */
export const uiSessions = (): string => `
  CREATE TABLE ui_sessions (
    id TEXT PRIMARY KEY,
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX ui_sessions_expires_at ON ui_sessions (expires_at);
`;
