import postgres from "postgres";
import { migrations } from "./migrations/index.ts";
import { postgresSpendMethods } from "./spend-postgres.ts";
import { postgresAggregateMethods } from "./aggregates/postgres.ts";
import { postgresUiSessionMethods } from "./ui-sessions/postgres.ts";
import {
  conflictField,
  jsonColumns,
  settingColumns,
  StoreConflictError,
  type KeyPatch,
  type KeyRow,
  type Store,
} from "./types.ts";

export type Sql = postgres.Sql;
type Row = Record<string, unknown>;

/** Any constant works as long as every gateway uses the same one: it serialises migrations across instances. */
const MIGRATION_LOCK_ID = 724_019_001;

export interface PostgresStore extends Store {
  /** The connection pool, for LISTEN/NOTIFY key invalidation. */
  readonly sql: Sql;
}

export async function openPostgresStore(url: string, options: { max?: number } = {}): Promise<PostgresStore> {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  try {
    await migrate(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }

  const get = async (token: string) => {
    const [row] = await sql`SELECT * FROM keys WHERE token = ${token}`;
    return row ? fromRow(row) : null;
  };
  const update = async (token: string, values: Row) => {
    const set = { ...values, updated_at: new Date() };
    const rows = await guard(() => sql`UPDATE keys SET ${sql(set as Record<string, any>)} WHERE token = ${token} RETURNING *`);
    return rows.length ? fromRow(rows[0]) : null;
  };

  return {
    driver: "postgres",
    sql,
    ...postgresSpendMethods(sql),
    ...postgresAggregateMethods(sql, fromRow),
    ...postgresUiSessionMethods(sql),
    async createKey(row) {
      const now = new Date();
      const values = {
        ...encodeSettings(sql, row),
        token: row.token,
        key_name: row.keyName,
        aws_access_key_id: row.awsAccessKeyId ?? null,
        aws_secret_ciphertext: row.awsSecretCiphertext ?? null,
        created_at: now,
        updated_at: now,
      };
      const [inserted] = await guard(() => sql`INSERT INTO keys ${sql(values as Record<string, any>)} RETURNING *`);
      return fromRow(inserted);
    },
    getKey: get,
    async getKeyByAccessKeyId(accessKeyId) {
      const [row] = await sql`SELECT * FROM keys WHERE aws_access_key_id = ${accessKeyId}`;
      return row ? fromRow(row) : null;
    },
    async updateKey(token, patch) {
      const values = encodeSettings(sql, patch);
      return Object.keys(values).length ? update(token, values) : touch(sql, token);
    },
    async rotateKey(token, next, patch) {
      const aws = next.awsAccessKeyId === undefined ? {} : { aws_access_key_id: next.awsAccessKeyId, aws_secret_ciphertext: next.awsSecretCiphertext ?? null };
      return update(token, { ...encodeSettings(sql, patch), token: next.token, key_name: next.keyName, ...aws });
    },
    async deleteKeys(tokens) {
      const unique = [...new Set(tokens)];
      return sql.begin(async (tx) => {
        const deleted = await tx`DELETE FROM keys WHERE token IN ${tx(unique)} RETURNING token`;
        if (deleted.length === unique.length) return { ok: true as const, deleted: unique };
        // Throwing rolls the transaction back, so a partial delete never commits.
        const found = new Set(deleted.map((r) => r.token as string));
        throw new MissingKeys(unique.filter((t) => !found.has(t)));
      }).catch((error) => {
        if (error instanceof MissingKeys) return { ok: false as const, missing: error.missing };
        throw error;
      });
    },
    async listKeys(query) {
      const conditions = [
        query.userId !== undefined ? sql`user_id = ${query.userId}` : null,
        query.teamId !== undefined ? sql`team_id = ${query.teamId}` : null,
        query.keyAlias !== undefined ? sql`key_alias = ${query.keyAlias}` : null,
      ].filter((c) => c !== null);
      const where = conditions.length
        ? conditions.slice(1).reduce((acc, c) => sql`${acc} AND ${c}`, sql`WHERE ${conditions[0]}`)
        : sql``;
      const [{ n }] = await sql`SELECT COUNT(*)::int AS n FROM keys ${where}`;
      const rows = await sql`SELECT * FROM keys ${where} ORDER BY created_at DESC, token LIMIT ${query.limit} OFFSET ${query.offset}`;
      return { rows: rows.map(fromRow), total: n as number };
    },
    async ping() {
      await sql`SELECT 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

class MissingKeys extends Error {
  constructor(readonly missing: string[]) {
    super("unknown keys");
  }
}

/** A transaction-level advisory lock makes concurrent starts wait while the first one migrates. */
async function migrate(sql: Sql) {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
    const applied = new Set((await tx`SELECT version FROM schema_migrations`).map((r) => Number(r.version)));
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await tx.unsafe(m.postgres);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
    }
  });
}

async function touch(sql: Sql, token: string) {
  const rows = await sql`UPDATE keys SET updated_at = now() WHERE token = ${token} RETURNING *`;
  return rows.length ? fromRow(rows[0]) : null;
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const e = error as { code?: string; constraint_name?: string; message?: string };
    if (e.code === "23505") throw new StoreConflictError(conflictField(e.constraint_name ?? e.message ?? ""));
    throw error;
  }
}

function encodeSettings(sql: Sql, patch: KeyPatch): Row {
  const out: Row = {};
  for (const [field, column] of Object.entries(settingColumns)) {
    const value = patch[field as keyof KeyPatch];
    if (value === undefined) continue;
    out[column] = jsonColumns.has(column) ? sql.json(value as any) : value;
  }
  return out;
}

const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string | Date).toISOString());

function fromRow(r: Row): KeyRow {
  return {
    token: r.token as string,
    keyName: r.key_name as string,
    keyAlias: r.key_alias as string | null,
    models: r.models as string[],
    allowedRoutes: r.allowed_routes as string[],
    maxBudget: r.max_budget as number | null,
    budgetDuration: r.budget_duration as string | null,
    budgetResetAt: iso(r.budget_reset_at),
    spend: Number(r.spend),
    rpmLimit: r.rpm_limit as number | null,
    tpmLimit: r.tpm_limit as number | null,
    expires: iso(r.expires),
    userId: r.user_id as string | null,
    teamId: r.team_id as string | null,
    metadata: r.metadata as Record<string, unknown>,
    blocked: r.blocked as boolean,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    awsAccessKeyId: r.aws_access_key_id as string | null,
    awsSecretCiphertext: r.aws_secret_ciphertext as string | null,
  };
}
