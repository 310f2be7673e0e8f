import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrations } from "./migrations/index.ts";
import { sqliteSpendMethods } from "./spend-sqlite.ts";
import { sqliteAggregateMethods } from "./aggregates/sqlite.ts";
import { sqliteUiSessionMethods } from "./ui-sessions/sqlite.ts";
import { spendLogInserter } from "./spend-sqlite-insert.ts";
import { spendInsertThread } from "./spend-sqlite-thread.ts";
import { CONNECTION_PRAGMAS, transaction } from "./sqlite-transaction.ts";
import {
  conflictField,
  jsonColumns,
  settingColumns,
  StoreConflictError,
  type KeyPatch,
  type KeyRow,
  type NewKeyRow,
  type Store,
} from "./types.ts";
import { errorMessage } from "../error-message.ts";

type Row = Record<string, unknown>;

/**
 * The embedded default: one file, WAL mode, synchronous calls behind the async interface. Several processes
 * may share the file (SQLite locks it), but cache invalidation then only reaches this process.
 */
export function openSqliteStore(file: string): Store {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec(CONNECTION_PRAGMAS);
  migrate(db);
  // Spend rows are written from a thread of their own (a private `:memory:` database cannot be shared with one).
  const inserts = file === ":memory:" ? null : spendInsertThread(path.resolve(file));

  const select = db.prepare("SELECT * FROM keys WHERE token = ?");
  const selectByAccessKeyId = db.prepare("SELECT * FROM keys WHERE aws_access_key_id = ?");
  const get = (token: string) => {
    const row = select.get(token);
    return row ? fromRow(row) : null;
  };

  return {
    driver: "sqlite",
    ...sqliteSpendMethods(db, inserts ? (rows) => inserts.insert(rows) : inlineInsert(db)),
    ...sqliteAggregateMethods(db, fromRow),
    ...sqliteUiSessionMethods(db),
    async createKey(row) {
      const now = new Date().toISOString();
      const values: Row = { ...encodeSettings(row), token: row.token, key_name: row.keyName, created_at: now, updated_at: now };
      values.aws_access_key_id = row.awsAccessKeyId ?? null;
      values.aws_secret_ciphertext = row.awsSecretCiphertext ?? null;
      const cols = Object.keys(values);
      guard(() => db.prepare(`INSERT INTO keys (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).run(...params(values)));
      return get(row.token)!;
    },
    async getKey(token) {
      return get(token);
    },
    async getKeyByAccessKeyId(accessKeyId) {
      const row = selectByAccessKeyId.get(accessKeyId);
      return row ? fromRow(row) : null;
    },
    async updateKey(token, patch) {
      return update(db, token, encodeSettings(patch)) ? get(token) : null;
    },
    async rotateKey(token, next, patch) {
      const values: Row = { ...encodeSettings(patch), token: next.token, key_name: next.keyName };
      if (next.awsAccessKeyId !== undefined) {
        values.aws_access_key_id = next.awsAccessKeyId;
        values.aws_secret_ciphertext = next.awsSecretCiphertext ?? null;
      }
      return update(db, token, values) ? get(next.token) : null;
    },
    async deleteKeys(tokens) {
      return transaction(db, () => {
        const unique = [...new Set(tokens)];
        const marks = unique.map(() => "?").join(", ");
        const found = new Set(db.prepare(`SELECT token FROM keys WHERE token IN (${marks})`).all(...unique).map((r) => r.token as string));
        const missing = unique.filter((t) => !found.has(t));
        if (missing.length) return { ok: false as const, missing };
        db.prepare(`DELETE FROM keys WHERE token IN (${marks})`).run(...unique);
        return { ok: true as const, deleted: unique };
      });
    },
    async listKeys(query) {
      const where: string[] = [];
      const args: string[] = [];
      if (query.userId !== undefined) (where.push("user_id = ?"), args.push(query.userId));
      if (query.teamId !== undefined) (where.push("team_id = ?"), args.push(query.teamId));
      if (query.keyAlias !== undefined) (where.push("key_alias = ?"), args.push(query.keyAlias));
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const total = Number(db.prepare(`SELECT COUNT(*) AS n FROM keys ${clause}`).get(...args)!.n);
      const rows = db
        .prepare(`SELECT * FROM keys ${clause} ORDER BY created_at DESC, token LIMIT ? OFFSET ?`)
        .all(...args, query.limit, query.offset)
        .map(fromRow);
      return { rows, total };
    },
    async ping() {
      db.prepare("SELECT 1").get();
    },
    async close() {
      await inserts?.close();
      db.close();
    },
  };
}

function inlineInsert(db: DatabaseSync) {
  const insert = spendLogInserter(db);
  return async (rows: Parameters<typeof insert>[0]) => insert(rows);
}

/** BEGIN IMMEDIATE takes the write lock first, so two processes starting together apply each version once. */
function migrate(db: DatabaseSync) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  transaction(db, () => {
    const applied = new Set(db.prepare("SELECT version FROM schema_migrations").all().map((r) => Number(r.version)));
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      db.exec(m.sqlite);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, new Date().toISOString());
    }
  });
}

function update(db: DatabaseSync, token: string, values: Row): boolean {
  const cols = Object.keys(values);
  const assignments = [...cols.map((c) => `${c} = ?`), "updated_at = ?"].join(", ");
  const result = guard(() => db.prepare(`UPDATE keys SET ${assignments} WHERE token = ?`).run(...params(values), new Date().toISOString(), token));
  return Number(result.changes) > 0;
}

function guard<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    const message = errorMessage(error);
    if (message.includes("UNIQUE constraint failed")) throw new StoreConflictError(conflictField(message));
    throw error;
  }
}

function encodeSettings(patch: KeyPatch): Row {
  const out: Row = {};
  for (const [field, column] of Object.entries(settingColumns)) {
    const value = patch[field as keyof KeyPatch];
    if (value === undefined) continue;
    if (jsonColumns.has(column)) out[column] = JSON.stringify(value);
    else if (typeof value === "boolean") out[column] = value ? 1 : 0;
    else out[column] = value;
  }
  return out;
}

function params(values: Row) {
  return Object.values(values) as (string | number | null)[];
}

function fromRow(r: Row): KeyRow {
  return {
    token: r.token as string,
    keyName: r.key_name as string,
    keyAlias: r.key_alias as string | null,
    models: JSON.parse(r.models as string),
    allowedRoutes: JSON.parse(r.allowed_routes as string),
    maxBudget: r.max_budget as number | null,
    budgetDuration: r.budget_duration as string | null,
    budgetResetAt: r.budget_reset_at as string | null,
    spend: Number(r.spend),
    rpmLimit: r.rpm_limit === null ? null : Number(r.rpm_limit),
    tpmLimit: r.tpm_limit === null ? null : Number(r.tpm_limit),
    expires: r.expires as string | null,
    userId: r.user_id as string | null,
    teamId: r.team_id as string | null,
    metadata: JSON.parse(r.metadata as string),
    blocked: Number(r.blocked) === 1,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    awsAccessKeyId: r.aws_access_key_id as string | null,
    awsSecretCiphertext: r.aws_secret_ciphertext as string | null,
  };
}
