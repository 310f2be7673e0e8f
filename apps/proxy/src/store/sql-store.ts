import { aggregateMethods } from "./aggregates/queries.ts";
import { keyMethods } from "./keys.ts";
import { spendMethods } from "./spend.ts";
import type { SqlDatabase } from "./sql/database.ts";
import type { SpendStore } from "./spend-types.ts";
import type { Store } from "./types.ts";
import { uiSessionMethods } from "./ui-sessions/queries.ts";

/**
 * The store over a migrated SQL database: the same statements on SQLite and PostgreSQL. Spend rows are written the
 * driver's way (SQLite from a thread of its own); `close` ends what the driver opened.
 */
export function sqlStore(db: SqlDatabase, insertSpendLogs: SpendStore["insertSpendLogs"], close: () => Promise<void>): Store {
  return {
    driver: db.dialect.name,
    ...keyMethods(db),
    ...spendMethods(db, insertSpendLogs),
    ...aggregateMethods(db),
    ...uiSessionMethods(db),
    async ping() {
      await db.all("SELECT 1");
    },
    close,
  };
}
