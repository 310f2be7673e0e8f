import { log } from "../log.ts";
import type { Store, KeyRow } from "../store/types.ts";
import type { KeyInvalidation } from "./invalidation.ts";
import { errorMessage } from "../error-message.ts";
import { withinMs } from "../store/deadline.ts";

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

/** The store could not be read and the key was never seen (or too long ago): answered 503, not 401. */
export class StoreUnavailableError extends Error {}

export interface KeyCache {
  /** The stored key for a token hash, or null. Concurrent lookups of one token share one store read. */
  get(token: string): Promise<KeyRow | null>;
  /** Drops one token (null: all). */
  invalidate(token: string | null): void;
}

interface Entry {
  value: Promise<KeyRow | null>;
  expiresAt: number;
  /** The last row read from the store, kept for stale-if-error. */
  last?: { row: KeyRow; readAt: number };
}

/**
 * Per-request key lookup: a Map by token hash with a short TTL, emptied by the invalidation channel. When the
 * store fails, a key seen recently is served from memory (and re-checked every second); an unseen key fails fast
 * with StoreUnavailableError.
 */
export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const { store, ttlMs = 5_000, negativeTtlMs = 1_000, maxEntries = 10_000, lookupTimeoutMs = 2_000, staleIfErrorMs = 600_000 } = options;
  const entries = new Map<string, Entry>();
  let warnedAt = 0;

  const invalidate = (token: string | null) => {
    if (token !== null) return void entries.delete(token);
    // "Anything may have changed": re-read everything, but keep what was read as a fallback should the store fail.
    for (const [key, entry] of entries) {
      if (entry.expiresAt === Infinity || !entry.last) entries.delete(key);
      else entry.expiresAt = 0;
    }
  };
  options.invalidation.subscribe(invalidate);

  const read = async (token: string, entry: Entry): Promise<KeyRow | null> => {
    let row: KeyRow | null;
    try {
      row = await withinMs(store.getKey(token), lookupTimeoutMs);
    } catch (error) {
      const reason = errorMessage(error);
      const stale = entry.last && Date.now() - entry.last.readAt <= staleIfErrorMs ? entry.last : undefined;
      if (Date.now() - warnedAt > 10_000) {
        warnedAt = Date.now();
        log.warn("key store unreachable: serving keys read in the last " + Math.round(staleIfErrorMs / 60_000) + " min from memory, refusing unseen keys with 503", { error: reason });
      }
      if (!stale) {
        if (entries.get(token) === entry) entries.delete(token);
        throw new StoreUnavailableError(`The gateway cannot reach its key store (${reason}); try again shortly.`);
      }
      entry.expiresAt = Date.now() + 1_000;
      return stale.row;
    }
    entry.last = row ? { row, readAt: Date.now() } : undefined;
    entry.expiresAt = Date.now() + (row ? ttlMs : negativeTtlMs);
    return row;
  };

  return {
    invalidate,
    get(token) {
      const now = Date.now();
      const cached = entries.get(token);
      if (cached && cached.expiresAt > now) return cached.value;
      if (!cached && entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      // Until the read finishes the entry is valid; an invalidation meanwhile removes it, so a stale read is not kept.
      const entry: Entry = { value: undefined!, expiresAt: Infinity, last: cached?.last };
      entries.delete(token);
      entries.set(token, entry);
      entry.value = read(token, entry);
      return entry.value;
    },
  };
}
