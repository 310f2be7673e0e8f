import postgres from "postgres";
import { migrate } from "../migrations/index.ts";
import { insertSpendBatch } from "../spend-insert.ts";
import { sqlStore } from "../sql-store.ts";
import type { Store } from "../types.ts";
import { postgresDatabase, type Sql } from "./connection.ts";

export interface PostgresStore extends Store {
  /** The connection pool, for LISTEN/NOTIFY key invalidation. */
  readonly sql: Sql;
}

export async function openPostgresStore(url: string, options: { max?: number } = {}): Promise<PostgresStore> {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = postgresDatabase(sql);
  try {
    await migrate(db);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  return { ...sqlStore(db, (rows) => insertSpendBatch(db, rows), () => db.close()), sql };
}
