import { openSqliteStore } from "./sqlite/open.ts";
import type { Store } from "./types.ts";
import { ConfigError } from "../config.ts";
import { errorMessage } from "../error-message.ts";
import { postgresFailureAdvice } from "./postgres/connect-failure.ts";

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
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresStore } = await import("./postgres/open.ts");
    return openPostgresStore(databaseUrl).catch((error: unknown) => {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(
        `DATABASE_URL: cannot use PostgreSQL at ${withoutCredentials(databaseUrl)} (${errorMessage(error)}). ${postgresFailureAdvice(error)}`,
      );
    });
  }
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got ${databaseUrl.split(":")[0]}:...`);
}

/** Where the database is, for a message: never the password. */
function withoutCredentials(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host}${url.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}
