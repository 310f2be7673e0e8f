/// <reference path="../../src/store/sqlite/node-sqlite.d.ts" />
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.ts";
import type { PostgresStore } from "../../src/store/postgres/open.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

// The spend-log filters (`querySpendLogs`): each an equality on one column, newest first.
const FILTERED = ["api_key", "user_id", "end_user", "model"] as const;
const filterQuery = (column: string, placeholder: string) =>
  `SELECT * FROM spend_logs WHERE ${column} = ${placeholder} ORDER BY start_time DESC, request_id LIMIT 50`;

describe("spend log indexes on nullable columns skip rows without a value, and still serve the filters", () => {
  describe("sqlite", () => {
    let db: ThrowawayDatabase;
    let file: DatabaseSync;

    beforeAll(async () => {
      db = throwawaySqlite();
      await (await openStore(db.url)).close();
      file = new DatabaseSync(db.url.slice("sqlite:".length));
    });
    afterAll(async () => {
      file?.close();
      await db?.drop();
    });

    it.each(FILTERED)("%s", (column) => {
      const index = file.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(`spend_logs_${column}`) as { sql: string };
      expect(index.sql).toContain(`WHERE ${column} IS NOT NULL`);
      const plan = (file.prepare(`EXPLAIN QUERY PLAN ${filterQuery(column, "?")}`).all("x") as { detail: string }[]).map((r) => r.detail).join("\n");
      expect(plan).toContain(`USING INDEX spend_logs_${column}`);
    });
  });

  describe("postgres", () => {
    let db: ThrowawayDatabase;
    let store: PostgresStore;

    beforeAll(async () => {
      db = await throwawayPostgres();
      store = (await openStore(db.url)) as PostgresStore;
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it.each(FILTERED)("%s", async (column) => {
      const [index] = await store.sql`SELECT indexdef FROM pg_indexes WHERE indexname = ${`spend_logs_${column}`}`;
      expect(index!.indexdef).toContain(`WHERE (${column} IS NOT NULL)`);
      // An empty table is scanned whatever the indexes; with sequential scans off, the plan shows which index is usable.
      const plan = await store.sql.begin(async (tx) => {
        await tx`SET LOCAL enable_seqscan = off`;
        return tx.unsafe(`EXPLAIN ${filterQuery(column, "$1")}`, ["x"]);
      });
      expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain(`spend_logs_${column}`);
    });
  });
});
