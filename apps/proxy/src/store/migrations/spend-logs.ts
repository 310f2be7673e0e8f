import type { Dialect } from "../sql/database.ts";

export const spendLogs = ({ types: t }: Dialect): string => `
  CREATE TABLE spend_logs (
    request_id TEXT PRIMARY KEY,
    start_time ${t.time} NOT NULL,
    end_time ${t.time} NOT NULL,
    api_key TEXT,
    key_alias TEXT,
    user_id TEXT,
    team_id TEXT,
    end_user TEXT,
    route TEXT NOT NULL,
    operation TEXT,
    model TEXT,
    region TEXT NOT NULL,
    status INTEGER NOT NULL,
    latency_ms ${t.real} NOT NULL,
    ttfb_ms ${t.real},
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_input_tokens INTEGER NOT NULL DEFAULT 0,
    spend ${t.real},
    usage_source TEXT,
    usage_complete ${t.bool},
    note TEXT,
    upstream_request_id TEXT,
    request_body TEXT,
    response_body TEXT
  );
  CREATE INDEX spend_logs_start_time ON spend_logs (start_time);
  CREATE INDEX spend_logs_api_key ON spend_logs (api_key, start_time);
  CREATE INDEX spend_logs_user_id ON spend_logs (user_id, start_time);
  CREATE INDEX spend_logs_end_user ON spend_logs (end_user, start_time);
  CREATE INDEX spend_logs_model ON spend_logs (model, start_time);
  CREATE TABLE budget_entities (
    kind TEXT NOT NULL CHECK (kind IN ('user', 'team', 'end_user')),
    id TEXT NOT NULL,
    spend ${t.real} NOT NULL DEFAULT 0,
    max_budget ${t.real},
    budget_duration TEXT,
    budget_reset_at ${t.time},
    rpm_limit INTEGER,
    tpm_limit INTEGER,
    metadata ${t.json} NOT NULL DEFAULT '{}',
    request_count INTEGER NOT NULL DEFAULT 0,
    last_request_at ${t.time},
    created_at ${t.time} NOT NULL,
    updated_at ${t.time} NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE INDEX budget_entities_reset ON budget_entities (budget_reset_at);
`;
