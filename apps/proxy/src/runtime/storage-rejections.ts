import { errorMessage } from "../error-message.ts";
import { log } from "../log.ts";
import { isStoreOutage } from "../store/failure-kind.ts";

/**
 * A PostgreSQL restart can surface on Bun as an unhandled rejection from the driver's socket (`read ECONNRESET`
 * at `node:net` close, outside any request: seen in test/e2e/storage-faults.test.ts, about one run in three). It
 * must not take the gateway down with it: requests already answer 503 and spend rows queue. Anything else that
 * nobody handled still ends the process, as it would without this.
 */
export function surviveStorageRejections(): void {
  process.on("unhandledRejection", (reason) => {
    if (!isStoreOutage(reason)) throw reason;
    log.error("a storage connection failed outside any request; the gateway keeps serving", { error: errorMessage(reason) });
  });
}
