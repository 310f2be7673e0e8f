import { createRefreshingCache, StoreUnavailableError } from "../cache/refreshing-cache.ts";
import { warnAtMostEvery } from "../log.ts";
import type { Store, KeyRow } from "../store/types.ts";
import type { KeyInvalidation } from "./invalidation.ts";

export { StoreUnavailableError };

export interface KeyCacheOptions {
  store: Store;
  invalidation: KeyInvalidation;
  /** How long a found key is trusted without asking the store. Default 5 s. */
  ttlMs?: number;
  /** How long "no such key" is remembered, so a flood of bad keys does not reach the store. Default 1 s. */
  negativeTtlMs?: number;
  /** Entries kept at most; the oldest go first. Default 10,000. */
  maxEntries?: number;
  /** A store read slower than this counts as a failure. Default 2 s. */
  lookupTimeoutMs?: number;
  /**
   * When the store cannot be read, a key read successfully within this long is still served (stale-if-error),
   * so callers with cached keys ride out a database outage. Default 10 min; 0 turns it off.
   */
  staleIfErrorMs?: number;
}

export interface KeyCache {
  /** The stored key for a token hash, or null. Concurrent lookups of one token share one store read. */
  get(token: string): Promise<KeyRow | null>;
  /** Drops one token (null: all). */
  invalidate(token: string | null): void;
}

/**
 * Per-request key lookup by token hash, emptied by the invalidation channel. When the store fails, a key seen
 * recently is served from memory (and re-checked every second); an unseen key fails fast with StoreUnavailableError.
 */
export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const { store, staleIfErrorMs = 600_000 } = options;
  const warn = warnAtMostEvery();
  const cache = createRefreshingCache<KeyRow>({
    ...options,
    staleIfErrorMs,
    read: (token) => store.getKey(token),
    storeName: "key store",
    onReadError: (reason) =>
      warn("key store unreachable: serving keys read in the last " + Math.round(staleIfErrorMs / 60_000) + " min from memory, refusing unseen keys with 503", { error: reason }),
  });

  // "Anything may have changed" (null): re-read everything, but keep what was read as a fallback should the store fail.
  const invalidate = (token: string | null) => (token !== null ? cache.delete(token) : cache.expireAll());
  options.invalidation.subscribe(invalidate);
  return { invalidate, get: cache.get };
}
