/**
 * Versioned schema changes, applied in order at start. Each has the same meaning on both drivers; only the
 * dialect differs. Never edit a released migration: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: "virtual keys",
    sqlite: `
      CREATE TABLE keys (
        token TEXT PRIMARY KEY,
        key_name TEXT NOT NULL,
        key_alias TEXT UNIQUE,
        models TEXT NOT NULL DEFAULT '[]',
        allowed_routes TEXT NOT NULL DEFAULT '[]',
        max_budget REAL,
        budget_duration TEXT,
        budget_reset_at TEXT,
        spend REAL NOT NULL DEFAULT 0,
        rpm_limit INTEGER,
        tpm_limit INTEGER,
        expires TEXT,
        user_id TEXT,
        team_id TEXT,
        metadata TEXT NOT NULL DEFAULT '{}',
        blocked INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        aws_access_key_id TEXT UNIQUE,
        aws_secret_ciphertext TEXT
      );
      CREATE INDEX keys_user_id ON keys (user_id);
      CREATE INDEX keys_team_id ON keys (team_id);
      CREATE INDEX keys_created_at ON keys (created_at);
    `,
    postgres: `
      CREATE TABLE keys (
        token TEXT PRIMARY KEY,
        key_name TEXT NOT NULL,
        key_alias TEXT UNIQUE,
        models JSONB NOT NULL DEFAULT '[]',
        allowed_routes JSONB NOT NULL DEFAULT '[]',
        max_budget DOUBLE PRECISION,
        budget_duration TEXT,
        budget_reset_at TIMESTAMPTZ,
        spend DOUBLE PRECISION NOT NULL DEFAULT 0,
        rpm_limit INTEGER,
        tpm_limit INTEGER,
        expires TIMESTAMPTZ,
        user_id TEXT,
        team_id TEXT,
        metadata JSONB NOT NULL DEFAULT '{}',
        blocked BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        aws_access_key_id TEXT UNIQUE,
        aws_secret_ciphertext TEXT
      );
      CREATE INDEX keys_user_id ON keys (user_id);
      CREATE INDEX keys_team_id ON keys (team_id);
      CREATE INDEX keys_created_at ON keys (created_at);
    `,
  },
];
