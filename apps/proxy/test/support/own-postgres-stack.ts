import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv } from "./fixture.ts";
import { startGateway, type GatewayProcess } from "./gateway-process.ts";
import { ownPostgres, type OwnPostgres } from "./postgres-server.ts";

/** A gateway on a PostgreSQL cluster of the test's own (to stop, restart, or kill the gateway over), with its spend journal. */
export interface OwnPostgresStack {
  pg: OwnPostgres;
  emulator: RunningEmulator;
  /** The gateway's environment, to start it again on the same database and journal. */
  env: Record<string, string>;
  /** The running gateway; a test that restarts it puts the new one here. */
  gateway: GatewayProcess;
  /** Upstream request ids of the spend rows stored so far. */
  storedUpstreamIds(): Promise<Set<string>>;
  stop(): Promise<void>;
}

export async function ownPostgresStack(masterKey: string): Promise<OwnPostgresStack | { skip: string }> {
  const [pg, emulator] = await Promise.all([ownPostgres(), startEmulator({ port: 0 })]);
  if ("skip" in pg) {
    await emulator.close();
    return pg;
  }
  const journalDir = mkdtempSync(path.join(os.tmpdir(), "gw-own-pg-journal-"));
  // With the fetch limit already set, Bun runs the gateway in the spawned process itself (no supervisor): a
  // SIGKILL hits the gateway, and its /proc entry is the gateway's.
  const env = { ...emulatorEnv(emulator), MASTER_KEY: masterKey, DATABASE_URL: pg.url, SPEND_JOURNAL_DIR: journalDir, BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" };
  const stack: OwnPostgresStack = {
    pg,
    emulator,
    env,
    gateway: await startGateway(env),
    async storedUpstreamIds() {
      const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
      try {
        return new Set((await sql`SELECT upstream_request_id FROM spend_logs WHERE upstream_request_id IS NOT NULL`).map((r) => r.upstream_request_id as string));
      } finally {
        await sql.end();
      }
    },
    async stop() {
      await stack.gateway.stop();
      await emulator.close();
      pg.destroy();
      rmSync(journalDir, { recursive: true, force: true });
    },
  };
  return stack;
}
