import type { Dialect } from "../sql/database.ts";

export const virtualKeys = ({ types: t }: Dialect): string => `
  CREATE TABLE keys (
    token TEXT PRIMARY KEY,
    key_name TEXT NOT NULL,
    key_alias TEXT UNIQUE,
    models ${t.json} NOT NULL DEFAULT '[]',
    allowed_routes ${t.json} NOT NULL DEFAULT '[]',
    max_budget ${t.real},
    budget_duration TEXT,
    budget_reset_at ${t.time},
    spend ${t.real} NOT NULL DEFAULT 0,
    rpm_limit INTEGER,
    tpm_limit INTEGER,
    expires ${t.time},
    user_id TEXT,
    team_id TEXT,
    metadata ${t.json} NOT NULL DEFAULT '{}',
    blocked ${t.bool} NOT NULL DEFAULT ${t.false},
    created_at ${t.time} NOT NULL,
    updated_at ${t.time} NOT NULL,
    aws_access_key_id TEXT UNIQUE,
    aws_secret_ciphertext TEXT
  );
  CREATE INDEX keys_user_id ON keys (user_id);
  CREATE INDEX keys_team_id ON keys (team_id);
  CREATE INDEX keys_created_at ON keys (created_at);
`;
