import type { Dialect, SqlDatabase } from "../sql/database.ts";
import { virtualKeys } from "./virtual-keys.ts";
import { spendLogs } from "./spend-logs.ts";
import { spendLogIndexes } from "./spend-log-indexes.ts";
import { spendRollup } from "./spend-rollup.ts";
import { uiSessions } from "./ui-sessions.ts";
import { dataResidency } from "./data-residency.ts";

/**
 * A versioned schema change: one text, rendered for each dialect with the same meaning. Never edit a released
 * migration: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  sql(d: Dialect): string;
}

/** The schema's history, oldest first. */
export const migrations: Migration[] = [
  { version: 1, name: "virtual keys", sql: virtualKeys },
  { version: 2, name: "spend logs and budget entities (users, teams, end users)", sql: spendLogs },
  { version: 3, name: "spend log indexes skip rows without a value", sql: spendLogIndexes },
  { version: 4, name: "spend rollup by hour and day for the admin page", sql: spendRollup },
  { version: 5, name: "admin page sessions", sql: uiSessions },
  { version: 6, name: "data residency (allowed_regions on keys and teams) and failover attempts on spend logs", sql: dataResidency },
];

/**
 * Applies the migrations a database lacks, in one transaction that concurrent starts wait for (PostgreSQL: an
 * advisory lock; SQLite: BEGIN IMMEDIATE), so each version is applied once.
 */
export async function migrate(db: SqlDatabase, list: readonly Migration[] = migrations): Promise<void> {
  const d = db.dialect;
  await db.transaction(async (tx) => {
    if (d.migrationLock) await tx.run(d.migrationLock);
    await tx.script(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${d.types.time} NOT NULL)`);
    const applied = new Set((await tx.all("SELECT version FROM schema_migrations")).map((r) => Number(r.version)));
    for (const m of list) {
      if (applied.has(m.version)) continue;
      await tx.script(m.sql(d));
      await tx.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [m.version, m.name, new Date().toISOString()]);
    }
  });
}
