import { errorMessage } from "../error-message.ts";
import { log } from "../log.ts";
import { isStoreOutage } from "../store/failure-kind.ts";

/**
 * A PostgreSQL restart can surface outside any request, and must not take the gateway down with it: requests
 * already answer 503 and spend rows queue (and are journaled). Two shapes were seen in test/e2e/storage-faults and
 * soak tests:
 * - on Bun, an unhandled rejection from the driver's socket (`read ECONNRESET` at `node:net` close), about one run
 *   in three;
 * - on Deno, a TypeError thrown from a timer inside postgres.js (`nextWrite` calls `socket.write` after the
 *   connection dropped its socket: `Cannot read properties of null (reading 'write')`), rarely.
 * Anything else that nobody handled still ends the process, as it would without this.
 */
export function surviveStorageRejections(): void {
  process.on("unhandledRejection", (reason) => {
    if (!isStoreOutage(reason)) throw reason;
    log.error("a storage connection failed outside any request; the gateway keeps serving", { error: errorMessage(reason) });
  });
  process.on("uncaughtException", (error) => {
    if (!isStoreOutage(error) && !thrownByPostgresDriver(error)) {
      log.error("uncaught exception; the gateway stops", { error: errorMessage(error) });
      process.exit(1);
    }
    log.error("the PostgreSQL driver failed outside any request; the gateway keeps serving", { error: errorMessage(error) });
  });
}

/** The driver's own frame (`postgres/src/connection.js`, or its cjs twin) is where the exception was thrown. */
function thrownByPostgresDriver(error: unknown): boolean {
  const stack = error instanceof Error ? error.stack ?? "" : "";
  const top = stack.split("\n").find((line) => /^\s*at\s/.test(line)) ?? "";
  return /[\\/]node_modules[\\/]postgres[\\/](cjs[\\/])?src[\\/]connection\.js/.test(top);
}
