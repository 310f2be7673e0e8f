import postgres from "postgres";
import { setBounded } from "../../cache/bounded-map.ts";
import type { Dialect, SqlDatabase, SqlSession, SqlValue } from "../sql/database.ts";

export type Sql = postgres.Sql;

/** Any constant works as long as every gateway uses the same one: it serialises migrations across instances. */
const MIGRATION_LOCK_ID = 724_019_001;

export const postgresDialect: Dialect = {
  name: "postgres",
  types: { real: "DOUBLE PRECISION", time: "TIMESTAMPTZ", json: "JSONB", bool: "BOOLEAN", false: "FALSE" },
  codecs: {
    // The driver serializes and parses JSONB itself (it learns the parameter's type when it prepares the statement).
    json: { write: (value) => value as SqlValue, read: (stored) => stored },
    bool: { write: (value) => value, read: (stored) => stored as boolean },
    // The driver reads TIMESTAMPTZ as a Date.
    time: { write: (value) => value, read: (stored) => new Date(stored as string | Date).toISOString() },
  },
  later: (a, b) => `GREATEST(${a}, ${b})`,
  arrayHas: (column) => `${column} @> jsonb_build_array(?::text)`,
  lockSelected: " FOR UPDATE SKIP LOCKED",
  migrationLock: `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`,
  // Bind parameters are capped at 65,535 per statement: 27 columns × 1,000 rows stays under it.
  spendRowsPerInsert: 1000,
  rollupByTrigger: true,
  uniqueViolation: (error) => {
    const e = error as { code?: string; constraint_name?: string; message?: string } | null;
    return e?.code === "23505" ? (e.constraint_name ?? e.message ?? "") : null;
  },
};

/** A postgres.js pool as the store's SqlDatabase (statements prepared, as tagged templates would be); `close` ends the pool. */
export function postgresDatabase(sql: Sql): SqlDatabase {
  const session = (q: Sql | postgres.TransactionSql): SqlSession => ({
    all: async (text, args = []) => q.unsafe(numbered(text), args as postgres.ParameterOrJSON<never>[], { prepare: true }),
    run: async (text, args = []) => (await q.unsafe(numbered(text), args as postgres.ParameterOrJSON<never>[], { prepare: true })).count,
    script: async (text) => void (await q.unsafe(text)),
  });
  return {
    dialect: postgresDialect,
    ...session(sql),
    transaction: <T>(body: (tx: SqlSession) => Promise<T>) => sql.begin((tx) => body(session(tx))) as Promise<T>,
    close: () => sql.end({ timeout: 5 }),
  };
}

const numberedTexts = new Map<string, string>();

/** `?` parameters → PostgreSQL's `$1, $2, ...`; a `?` inside a quoted literal stays. */
function numbered(text: string): string {
  let out = numberedTexts.get(text);
  if (out === undefined) {
    let n = 0;
    out = text.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === "?" ? `$${++n}` : match));
    setBounded(numberedTexts, text, out, 64);
  }
  return out;
}
