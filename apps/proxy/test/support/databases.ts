import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

/** The PostgreSQL server tests use; each run creates its own database on it. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database (`gw_test_<random>`), dropped afterwards, so parallel runs never collide. */
export async function throwawayPostgres(): Promise<ThrowawayDatabase> {
  const name = `gw_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = "/" + name;
  return {
    url: url.toString(),
    async drop() {
      const sql = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.end();
    },
  };
}

/** A temp directory holding `gateway.sqlite`, removed afterwards. */
export function throwawaySqlite(): ThrowawayDatabase {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gw-sqlite-"));
  return {
    url: `sqlite:${path.join(dir, "gateway.sqlite")}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
