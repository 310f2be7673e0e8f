/**
 * What the store asks of a SQL database, so that its statements are written once for SQLite and PostgreSQL.
 * A driver (`store/sqlite/`, `store/postgres/`) provides a `SqlDatabase` and its `Dialect`: the few words, types
 * and value encodings in which the two differ.
 */

/**
 * A value bound to a `?` parameter. An object or array is a JSON value that the driver serializes for a JSON column
 * (PostgreSQL's codec writes one; SQLite's writes text).
 */
export type SqlValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };
export type Row = Record<string, unknown>;

/** Statements on one connection, or inside one transaction. Each `?` outside a quoted literal is a parameter. */
export interface SqlSession {
  all(text: string, args?: readonly SqlValue[]): Promise<Row[]>;
  /** Resolves to how many rows the statement changed. */
  run(text: string, args?: readonly SqlValue[]): Promise<number>;
  /** Several statements separated by `;`, without parameters (a migration). */
  script(text: string): Promise<void>;
}

export interface SqlDatabase extends SqlSession {
  readonly dialect: Dialect;
  /**
   * Runs `body` in one transaction that holds the write lock from its start: committed when `body` resolves,
   * rolled back when it throws. Inside, use `tx` only: a statement on the database itself waits for the
   * transaction to end (on SQLite), so it would never run.
   */
  transaction<T>(body: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** How a kind of value is stored in a column and read back. `null` is stored and read as `null` by every codec. */
export interface Codec<T> {
  write(value: T): SqlValue;
  read(stored: unknown): T;
}

/** Everything in which the two databases differ for the store, and nothing else. */
export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** Column types the schema is written in; `false` is the boolean literal for a DEFAULT. */
  readonly types: { readonly real: string; readonly time: string; readonly json: string; readonly bool: string; readonly false: string };
  /** Times are written as ISO-8601 text and read back as ISO-8601 text (UTC). */
  readonly codecs: { readonly json: Codec<unknown>; readonly bool: Codec<boolean>; readonly time: Codec<string> };
  /** The later of two time expressions, a NULL `a` counting as earlier than any `b`. */
  later(a: string, b: string): string;
  /** A condition: the JSON array in `column` holds the text bound to the condition's one `?`. */
  arrayHas(column: string): string;
  /** Ends a SELECT of rows about to be updated, so that concurrent instances skip each other's ("" where a transaction locks the whole database). */
  readonly lockSelected: string;
  /** The first statement of the migrations' transaction, which makes concurrent starts wait; null where the transaction's own lock does. */
  readonly migrationLock: string | null;
  /** Spend rows per INSERT statement (1: one prepared statement run per row). */
  readonly spendRowsPerInsert: number;
  /** The database adds new spend rows to the rollup itself (a trigger, migrations/spend-rollup.ts); else the inserter does. */
  readonly rollupByTrigger: boolean;
  /** The text naming the unique constraint that `error` violated, or null when it is another error. */
  uniqueViolation(error: unknown): string | null;
}
