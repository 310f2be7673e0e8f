/// <reference path="../../src/store/sqlite/node-sqlite.d.ts" />
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, migrations } from "../../src/store/migrations/index.ts";
import { openStore } from "../../src/store/open-store.ts";
import { postgresDatabase } from "../../src/store/postgres/connection.ts";
import type { SqlDatabase } from "../../src/store/sql/database.ts";
import { sqliteDatabase } from "../../src/store/sqlite/connection.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const connect: Record<string, (url: string) => SqlDatabase> = {
  sqlite: (url) => sqliteDatabase(new DatabaseSync(url.slice("sqlite:".length))),
  postgres: (url) => postgresDatabase(postgres(url, { max: 1, onnotice: () => {} })),
};

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("a database left by an earlier release, on %s", (driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  afterEach(() => db?.drop());

  it("migrates to the latest version at start and keeps its rows: keys gain their new columns, spend rows reach the rollup", async () => {
    db = await makeDatabase();
    // A gateway from before the spend rollup (version 4) wrote a key and two calls.
    const old = connect[driver]!(db.url);
    await migrate(old, migrations.slice(0, 3));
    const at = "2030-01-01T10:15:00.000Z";
    await old.run("INSERT INTO keys (token, key_name, key_alias, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", ["t1", "sk-...1", "first", at, at]);
    for (const [id, spend] of [["r1", 0.25], ["r2", null]] as const) {
      await old.run(
        "INSERT INTO spend_logs (request_id, start_time, end_time, api_key, key_alias, route, region, status, latency_ms, input_tokens, output_tokens, spend) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [id, at, at, "t1", "first", "/model/m/converse", "us-east-1", 200, 5, 10, 20, spend],
      );
    }
    await old.close();

    const store = await openStore(db.url);
    try {
      expect(await store.getKey("t1")).toMatchObject({ keyAlias: "first", allowedRegions: [], createdAt: at });
      expect((await store.querySpendLogs({ apiKey: "t1", offset: 0, limit: 10 })).rows.map((r) => [r.requestId, r.attempts])).toEqual([["r1", null], ["r2", null]]);
      const report = await store.spendReport({ from: "2030-01-01T00:00:00.000Z", until: "2030-01-02T00:00:00.000Z", bucket: "hour", groupBy: "key", limit: 5 });
      expect(report.totals).toEqual({ spend: 0.25, requests: 2, errors: 0, inputTokens: 20, outputTokens: 40, unpricedRequests: 1 });
      expect(report.groups).toMatchObject([{ group: "t1", label: "first", requests: 2 }]);
    } finally {
      await store.close();
    }
    const check = connect[driver]!(db.url);
    expect((await check.all("SELECT version FROM schema_migrations ORDER BY version")).map((r) => Number(r.version))).toEqual(migrations.map((m) => m.version));
    await check.close();
  });
});
