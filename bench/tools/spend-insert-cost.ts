/**
 * What a spend-row insert costs once the table has grown, by kind of request id: random (UUID v4) against
 * time-ordered (UUID v7, what the gateway uses). The real schema and the real batch inserter on a SQLite file;
 * the table is first filled with `rows` rows, then 40 batches of 250 rows (a 250 ms batch at 1,000 req/s) are
 * timed with WAL auto-checkpoints off, so the WAL frames written per row can be counted.
 *
 *   npx bun bench/tools/spend-insert-cost.ts [rows=200000]      (also: npx deno run -A ...)
 *
 * A tool for a storage decision (see bench/README.md), not part of the benchmark.
 */
/// <reference path="../../apps/proxy/src/store/sqlite/node-sqlite.d.ts" />
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { requestId } from "../../apps/proxy/src/bedrock/request-id.ts";
import { openSqliteStore } from "../../apps/proxy/src/store/sqlite/open.ts";
import { CONNECTION_PRAGMAS, sqliteDatabase } from "../../apps/proxy/src/store/sqlite/connection.ts";
import { insertSpendBatch } from "../../apps/proxy/src/store/spend-insert.ts";
import type { SpendLogRow } from "../../apps/proxy/src/store/spend-types.ts";

const prefill = Number(process.argv[2] ?? 200_000);
const BATCH = 250;
const BATCHES = 40;
const PAGE = 4096;

const ids = { "random (v4)": () => crypto.randomUUID(), "time-ordered (v7)": (now: number) => requestId(now) };

function row(id: string, at: number): SpendLogRow {
  const time = new Date(at).toISOString();
  return {
    requestId: id, startTime: time, endTime: time, apiKey: "a535b712cdce79fd61c6edfd368c76e588211833320aaac4462235c7ed4d0bb1",
    keyAlias: null, userId: null, teamId: null, endUser: null, route: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    operation: "Converse", model: "anthropic.claude-3-haiku-20240307-v1:0", region: "us-east-1", status: 200, latencyMs: 900,
    ttfbMs: 900, inputTokens: 12, outputTokens: 20, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, spend: 0.000028,
    usageSource: "converse-body", usageComplete: true, note: null, upstreamRequestId: crypto.randomUUID(), attempts: null, requestBody: null, responseBody: null,
  };
}

async function measure(label: string, nextId: (now: number) => string) {
  const dir = mkdtempSync(path.join(tmpdir(), "spend-insert-cost-"));
  const file = path.join(dir, "gateway.sqlite");
  await (await openSqliteStore(file)).close();
  const db = new DatabaseSync(file);
  db.exec(CONNECTION_PRAGMAS);
  const connection = sqliteDatabase(db);
  const insert = (rows: SpendLogRow[]) => insertSpendBatch(connection, rows);
  // One row per millisecond of simulated history, as at 1,000 req/s.
  let clock = Date.now() - prefill - BATCH * BATCHES;
  for (let n = 0; n < prefill; n += BATCH) await insert(Array.from({ length: Math.min(BATCH, prefill - n) }, () => row(nextId(clock), clock++)));
  db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 0");

  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, () => row(nextId(clock), clock++)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const batch of batches) await insert(batch);
  const wallUs = (performance.now() - t0) * 1000;
  const cpu = process.cpuUsage(cpu0);
  const frames = Math.max(0, statSync(`${file}-wal`).size - 32) / (PAGE + 24);
  const rows = BATCH * BATCHES;
  console.log(
    `${label.padEnd(18)} ${(wallUs / rows).toFixed(1)} µs wall, ${((cpu.user + cpu.system) / rows).toFixed(1)} µs CPU, ` +
      `${(frames / rows).toFixed(2)} WAL pages per row (${((frames * PAGE) / rows / 1024).toFixed(1)} KiB), ${(wallUs / BATCHES / 1000).toFixed(1)} ms per ${BATCH}-row batch`,
  );
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`spend_logs with ${prefill} rows, then ${BATCHES} batches of ${BATCH} rows:`);
for (const [label, nextId] of Object.entries(ids)) await measure(label, nextId);
