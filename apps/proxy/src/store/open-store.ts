import { openSqliteStore } from "./sqlite.ts";
import type { Store } from "./types.ts";
import { ConfigError } from "../config.ts";

/**
 * `DATABASE_URL` → driver, migrated and ready.
 * `sqlite:<path>` (relative to the working directory; `sqlite::memory:` for a throwaway database) or
 * `postgres://...` / `postgresql://...`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith("sqlite:")) {
    const file = databaseUrl.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!file) throw new ConfigError("DATABASE_URL=sqlite:<path> needs a path");
    return openSqliteStore(file);
  }
  // Loaded only when used, so the embedded default does not carry the PostgreSQL client in memory.
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return (await import("./postgres.ts")).openPostgresStore(databaseUrl);
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got ${databaseUrl.split(":")[0]}:...`);
}
