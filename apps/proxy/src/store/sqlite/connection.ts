import type { DatabaseSync, StatementSync } from "node:sqlite";
import { setBounded } from "../../cache/bounded-map.ts";
import { errorMessage } from "../../error-message.ts";
import type { Dialect, SqlDatabase, SqlSession } from "../sql/database.ts";

/** Per-connection settings every connection to the gateway's file uses (WAL itself is a property of the file). */
export const CONNECTION_PRAGMAS = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON";

/** Prepared statements kept per connection; texts are the store's own, a few dozen in use. */
const STATEMENTS_KEPT = 256;

export const sqliteDialect: Dialect = {
  name: "sqlite",
  types: { real: "REAL", time: "TEXT", json: "TEXT", bool: "INTEGER", false: "0" },
  codecs: {
    json: { write: (value) => JSON.stringify(value), read: (stored) => JSON.parse(stored as string) },
    bool: { write: (value) => (value ? 1 : 0), read: (stored) => Number(stored) === 1 },
    // ISO-8601 text, which sorts and compares as time.
    time: { write: (value) => value, read: (stored) => stored as string },
  },
  later: (a, b) => `MAX(COALESCE(${a}, ''), ${b})`,
  arrayHas: (column) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)`,
  lockSelected: "",
  migrationLock: null,
  // One prepared single-row INSERT run per row: no round trips to save, and a batch of any size reuses one
  // statement (bench/tools/spend-insert-cost.ts).
  spendRowsPerInsert: 1,
  rollupByTrigger: false,
  uniqueViolation: (error) => {
    const message = errorMessage(error);
    return message.includes("UNIQUE constraint failed") ? message : null;
  },
};

/**
 * Held while a transaction is open on any connection of this thread. node:sqlite runs each statement synchronously,
 * but a transaction's body awaits between them; a statement from elsewhere in that gap would join the transaction
 * (same connection) or wait for SQLite's write lock while blocking the very thread that holds it (another
 * connection to the file). So every statement outside a transaction first waits for this to be free.
 */
let transactionOpen: Promise<void> | null = null;

/** A node:sqlite connection as the store's SqlDatabase; `close` closes the connection. */
export function sqliteDatabase(connection: DatabaseSync): SqlDatabase {
  const statements = new Map<string, StatementSync>();
  const prepared = (text: string) => {
    let statement = statements.get(text);
    if (!statement) setBounded(statements, text, (statement = connection.prepare(text)), STATEMENTS_KEPT);
    return statement;
  };
  const inTransaction: SqlSession = {
    all: async (text, args = []) => prepared(text).all(...(args as Bound[])),
    run: async (text, args = []) => Number(prepared(text).run(...(args as Bound[])).changes),
    script: async (text) => connection.exec(text),
  };
  // The check and what follows it run in one synchronous stretch: no transaction can open in between.
  const free = async <T>(call: () => Promise<T>) => {
    while (transactionOpen) await transactionOpen;
    return call();
  };

  return {
    dialect: sqliteDialect,
    all: (text, args) => free(() => inTransaction.all(text, args)),
    run: (text, args) => free(() => inTransaction.run(text, args)),
    script: (text) => free(() => inTransaction.script(text)),
    async transaction(body) {
      while (transactionOpen) await transactionOpen;
      let end!: () => void;
      transactionOpen = new Promise((resolve) => (end = resolve));
      try {
        // BEGIN IMMEDIATE takes the write lock first, so two connections starting together apply each change once.
        connection.exec("BEGIN IMMEDIATE");
        try {
          const result = await body(inTransaction);
          connection.exec("COMMIT");
          return result;
        } catch (error) {
          connection.exec("ROLLBACK");
          throw error;
        }
      } finally {
        transactionOpen = null;
        end();
      }
    },
    close: () => free(async () => connection.close()),
  };
}

/** What SQLite's codecs write: it has no boolean or JSON type. */
type Bound = null | number | string;
