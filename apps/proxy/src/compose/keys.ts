import { createGatewaySigV4 } from "../auth/sigv4-credentials.ts";
import { allowListStep } from "../policy/allow-list.ts";
import type { PostgresStore } from "../store/postgres/open.ts";
import type { Store } from "../store/types.ts";
import { createAccessKeyCache } from "../keys/access-key-cache.ts";
import { localInvalidation, postgresInvalidation, type KeyInvalidation } from "../keys/invalidation.ts";
import { createKeyCache } from "../keys/key-cache.ts";
import { createKeyService } from "../keys/key-service.ts";
import { createTokenLookup } from "../keys/lookup.ts";
import { createSecretBox } from "../keys/secret-box.ts";

/**
 * Everything virtual keys add to the gateway: the lookup, SigV4 verification of the AWS-style credentials they
 * may carry, the allow-list check and the key service behind the `/key/*` API. `secretKey` is GATEWAY_SECRET_KEY (null: no AWS pairs).
 */
export async function setupVirtualKeys(options: { store: Store; cacheTtlMs?: number; staleIfErrorMs?: number; secretKey?: string | null; invalidation?: KeyInvalidation }) {
  const { store } = options;
  // Redis pub/sub when REDIS_URL is set; otherwise NOTIFY on PostgreSQL, in-process on SQLite.
  const invalidation = options.invalidation ?? (await invalidationFor(store));
  const caching = { ttlMs: options.cacheTtlMs, staleIfErrorMs: options.staleIfErrorMs };
  const cache = createKeyCache({ store, invalidation, ...caching });
  const box = options.secretKey ? await createSecretBox(options.secretKey) : null;
  const accessKeys = createAccessKeyCache({ store, invalidation, box, ...caching });
  const lookupToken = createTokenLookup(cache);
  return {
    lookupToken,
    gatewaySigV4: createGatewaySigV4({ secretFor: accessKeys.get, principalFor: lookupToken }),
    allowList: allowListStep(),
    service: createKeyService(store, invalidation, box),
    cache,
    close: () => invalidation.close(),
  };
}

/** Across instances on PostgreSQL; SQLite serves one process, so in-process is enough there. */
function invalidationFor(store: Store): Promise<KeyInvalidation> | KeyInvalidation {
  return store.driver === "postgres" ? postgresInvalidation((store as PostgresStore).sql) : localInvalidation();
}
