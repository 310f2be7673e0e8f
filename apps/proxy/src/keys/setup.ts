import { keyRoutes } from "../admin/keys.ts";
import { allowListPlugin } from "../policy/allow-list.ts";
import type { PostgresStore } from "../store/postgres.ts";
import type { Store } from "../store/types.ts";
import { localInvalidation, postgresInvalidation, type KeyInvalidation } from "./invalidation.ts";
import { createKeyCache } from "./key-cache.ts";
import { createKeyService } from "./key-service.ts";
import { createVirtualKeyLookup } from "./lookup.ts";

/** Everything virtual keys add to the gateway: the lookup, the allow-list check and the `/key/*` API. */
export async function setupVirtualKeys(options: { store: Store; masterKey: string | null }) {
  const { store, masterKey } = options;
  const invalidation = await invalidationFor(store);
  const cache = createKeyCache({ store, invalidation });
  return {
    lookupVirtual: createVirtualKeyLookup(cache),
    allowList: allowListPlugin(),
    routes: keyRoutes({ masterKey, keys: createKeyService(store, invalidation), cache }),
    close: () => invalidation.close(),
  };
}

/** Across instances on PostgreSQL; SQLite serves one process, so in-process is enough there. */
function invalidationFor(store: Store): Promise<KeyInvalidation> | KeyInvalidation {
  return store.driver === "postgres" ? postgresInvalidation((store as PostgresStore).sql) : localInvalidation();
}
