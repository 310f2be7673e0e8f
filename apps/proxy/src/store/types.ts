import type { AggregateStore } from "./aggregates/types.ts";
import type { KeyStore } from "./key-types.ts";
import type { SpendStore } from "./spend-types.ts";
import type { UiSessionStore } from "./ui-sessions/types.ts";

/**
 * Storage for virtual keys, spend logs, budget entities and admin sessions, on SQLite (the embedded default) or
 * PostgreSQL: one set of statements (store/sql-store.ts) over either driver. Every method is async so callers
 * never care which one runs.
 */
export interface Store extends KeyStore, SpendStore, AggregateStore, UiSessionStore {
  readonly driver: "sqlite" | "postgres";
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export * from "./key-types.ts";
