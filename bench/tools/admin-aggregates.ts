/**
 * How fast the admin page's endpoints answer with 1,000,000 spend rows, on SQLite and on PostgreSQL.
 * Fills a fresh database with `rows` rows (SQL-generated, rollup included: 30 days, 50 keys, 20 users, 10 teams, 1,000 end users,
 * 12 models, 3 % errors, 2 % without a price) plus 200 keys with budgets, assembles the real gateway on it
 * in-process, and times each request a page makes (median of 5 after one cold run). Writes
 * bench/results/admin-aggregates.json and prints a Markdown table.
 *
 *   npx bun bench/tools/admin-aggregates.ts [rows=1000000] [sqlite|postgres|both=both]
 *
 * PostgreSQL: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); a throwaway database is
 * created and dropped.
 */
/// <reference path="../../apps/proxy/src/store/sqlite/node-sqlite.d.ts" />
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { readConfig } from "../../apps/proxy/src/config.ts";
import { assembleGateway } from "../../apps/proxy/src/compose/gateway.ts";
import { openStore } from "../../apps/proxy/src/store/open-store.ts";
import { sqliteRollupBackfill } from "../../apps/proxy/src/store/migrations/spend-rollup.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const which = process.argv[3] ?? "both";
const MASTER = "sk-bench-master-0123456789";
const DAYS = 30;
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const end = Date.now();
const start = end - DAYS * 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What each page asks for first (the Spend page sends report and budgets together). */
const requests: Array<[page: string, path: string]> = [
  ["Spend (default: 7 days by day, by model)", `/spend/report?start_date=${day(end - 6 * 86_400_000)}&end_date=${day(end)}&bucket=day&group_by=model`],
  ["Spend: 30 days by day, by end user (1,000 groups)", `/spend/report?start_date=${day(start)}&end_date=${day(end)}&bucket=day&group_by=end_user`],
  ["Spend: 30 days by hour, by key", `/spend/report?start_date=${day(start)}&end_date=${day(end)}&bucket=hour&group_by=key`],
  ["Spend: 1 day by hour, by team", `/spend/report?start_date=${day(end)}&end_date=${day(end)}&bucket=hour&group_by=team`],
  ["Spend: budgets", `/spend/budgets`],
  ["Keys: first page", `/key/search?page=1&size=20`],
  ["Keys: search text + state", `/key/search?q=bench-1&state=active&page=1&size=20`],
  ["Requests: first page", `/spend/logs?page=1&page_size=25`],
  ["Requests: by model, 7 days", `/spend/logs?model=model-3&start_date=${day(end - 6 * 86_400_000)}&page=1&page_size=25`],
  ["Requests: by end user", `/spend/logs?end_user=eu7&page=1&page_size=25`],
  ["Requests: page 2,000", `/spend/logs?page=2000&page_size=25`],
  ["Health: info", `/health/info`],
];

const columns = `request_id, start_time, end_time, api_key, key_alias, user_id, team_id, end_user, route, operation, model, region, status,
  latency_ms, ttfb_ms, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens, spend, usage_source, usage_complete`;

function fillSqlite(file: string) {
  const db = new DatabaseSync(file);
  const step = (end - start) / 1000 / ROWS;
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS - 1})
    INSERT INTO spend_logs (${columns})
    SELECT printf('bench-%09d', i), strftime('%Y-%m-%dT%H:%M:%fZ', ${start / 1000} + i * ${step}, 'unixepoch'),
      strftime('%Y-%m-%dT%H:%M:%fZ', ${start / 1000} + i * ${step} + 0.9, 'unixepoch'),
      'benchkey' || (i % 50), 'bench-' || (i % 50), CASE WHEN i % 3 = 0 THEN NULL ELSE 'user' || (i % 20) END, 'team' || (i % 10),
      CASE WHEN i % 2 = 0 THEN NULL ELSE 'eu' || (i % 1000) END, '/model/m/converse', 'Converse', 'model-' || (i % 12), 'us-east-1',
      CASE WHEN i % 33 = 0 THEN 429 ELSE 200 END, 900, 800, 100 + i % 500, 50 + i % 300, 0, 0,
      CASE WHEN i % 50 = 0 THEN NULL ELSE 0.00001 * (1 + i % 100) END, 'converse-body', 1
    FROM n`);
  // The gateway's batch inserter keeps the rollup as it writes; a bulk load adds its rows to it in one go.
  const t = performance.now();
  db.exec(sqliteRollupBackfill);
  console.log(`sqlite: rollup built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  db.exec("ANALYZE");
  db.close();
}

async function fillPostgres(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const step = (end - start) / 1000 / ROWS;
  await sql.unsafe(`
    INSERT INTO spend_logs (${columns})
    SELECT 'bench-' || lpad(i::text, 9, '0'), to_timestamp(${start / 1000} + i * ${step}), to_timestamp(${start / 1000} + i * ${step} + 0.9),
      'benchkey' || (i % 50), 'bench-' || (i % 50), CASE WHEN i % 3 = 0 THEN NULL ELSE 'user' || (i % 20) END, 'team' || (i % 10),
      CASE WHEN i % 2 = 0 THEN NULL ELSE 'eu' || (i % 1000) END, '/model/m/converse', 'Converse', 'model-' || (i % 12), 'us-east-1',
      CASE WHEN i % 33 = 0 THEN 429 ELSE 200 END, 900, 800, 100 + i % 500, 50 + i % 300, 0, 0,
      CASE WHEN i % 50 = 0 THEN NULL ELSE 0.00001 * (1 + i % 100) END, 'converse-body', true
    FROM generate_series(0, ${ROWS - 1}) AS i`);
  // As autovacuum would soon after a bulk load: statistics and the visibility map (index-only scans).
  await sql.unsafe("VACUUM ANALYZE spend_logs");
  await sql.end();
}

async function addKeys(databaseUrl: string) {
  const store = await openStore(databaseUrl);
  for (let i = 0; i < 200; i++) {
    await store.createKey({
      token: `benchtoken${String(i).padStart(54, "0")}`, keyName: `sk-...${String(i).padStart(4, "0")}`, keyAlias: `bench-${i}`,
      models: i % 2 ? ["model-1"] : [], allowedRoutes: [], allowedRegions: [], maxBudget: 10 + i, budgetDuration: "30d", budgetResetAt: null,
      rpmLimit: null, tpmLimit: null, expires: null, userId: `user${i % 20}`, teamId: `team${i % 10}`, metadata: {}, blocked: i % 17 === 0,
    });
  }
  await store.close();
}

async function timeRequests(databaseUrl: string) {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIABENCH", AWS_SECRET_ACCESS_KEY: "bench", AWS_EC2_METADATA_DISABLED: "true" });
  const env = { MASTER_KEY: MASTER, DATABASE_URL: databaseUrl, PORT: "0" };
  const gateway = await assembleGateway(readConfig(env));
  const results = [];
  for (const [page, p] of requests) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const response = await gateway.app.fetch(new Request("http://localhost" + p, { headers: { authorization: `Bearer ${MASTER}` } }));
      await response.arrayBuffer();
      times.push(performance.now() - t0);
      status = response.status;
    }
    const [cold, ...warm] = times;
    warm.sort((a, b) => a - b);
    const row = { page, path: p, status, cold_ms: round(cold!), median_ms: round(warm[2]!), max_ms: round(warm[warm.length - 1]!) };
    console.log(`  ${row.status} ${row.median_ms.toFixed(1).padStart(8)} ms median, ${row.cold_ms.toFixed(1).padStart(8)} ms cold  ${page}`);
    results.push(row);
  }
  await gateway.drain(1000);
  return results;
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main() {
  const out: Record<string, unknown> = { rows: ROWS, days: DAYS, measured_at: new Date().toISOString(), runtime: typeof Bun !== "undefined" ? `bun ${Bun.version}` : "other", drivers: {} };
  if (which !== "postgres") {
    const dir = mkdtempSync(path.join(tmpdir(), "gw-agg-"));
    const url = `sqlite:${path.join(dir, "gateway.sqlite")}`;
    try {
      (await openStore(url)).close();
      let t = performance.now();
      fillSqlite(path.join(dir, "gateway.sqlite"));
      console.log(`sqlite: ${ROWS} rows filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await addKeys(url);
      t = performance.now();
      (out.drivers as Record<string, unknown>).sqlite = await timeRequests(url);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (which !== "sqlite") {
    const name = `gw_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = "/" + name;
    try {
      await (await openStore(url.toString())).close();
      const t = performance.now();
      await fillPostgres(url.toString());
      console.log(`postgres: ${ROWS} rows filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await addKeys(url.toString());
      (out.drivers as Record<string, unknown>).postgres = await timeRequests(url.toString());
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  const file = path.resolve(import.meta.dirname, "../results/admin-aggregates.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

declare const Bun: { version: string } | undefined;
await main();
process.exit(0);
