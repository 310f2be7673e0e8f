import { errorMessage } from "../error-message.ts";
import { withTimeout } from "../with-timeout.ts";
import { setBounded } from "./bounded-map.ts";

/** The store could not be read and the value was never seen (or too long ago): answered 503, not 401. */
export class StoreUnavailableError extends Error {}

export interface RefreshingCacheOptions<V> {
  /** One value from the store; null: there is none. */
  read(key: string): Promise<V | null>;
  /** Names the store in the 503 message, e.g. "key store". */
  storeName: string;
  /** How long a found value is trusted without asking the store. Default 5 s. */
  ttlMs?: number;
  /** How long "none" is remembered, so a flood of made-up keys does not reach the store. Default 1 s. */
  negativeTtlMs?: number;
  /** Entries kept at most; the oldest go first. Default 10,000. */
  maxEntries?: number;
  /** A store read slower than this counts as a failure. Default 2 s. */
  lookupTimeoutMs?: number;
  /**
   * When the store cannot be read, a value read successfully within this long is still served (stale-if-error),
   * so callers ride out a database outage. Default 10 min; 0 turns it off.
   */
  staleIfErrorMs?: number;
  /** A read failed; `servedStale` tells whether the last known value was served instead. */
  onReadError?(reason: string, servedStale: boolean): void;
}

export interface RefreshingCache<V> {
  /** The value for a key, or null. Concurrent reads of one key share one store read. */
  get(key: string): Promise<V | null>;
  /** Drops one key. */
  delete(key: string): void;
  /** "Anything may have changed": every key is read again at its next use, what was read kept as the fallback. */
  expireAll(): void;
  /** Drops reads still on their way: they may return what the store held before a change. */
  dropPending(): void;
}

interface Entry<V> {
  value: Promise<V | null>;
  expiresAt: number;
  /** The last value read from the store, kept for stale-if-error. */
  last?: { value: V; readAt: number };
}

/**
 * A Map of store reads with a short TTL, one read in flight per key, and stale-if-error: when the store fails, a
 * value seen recently is served from memory (and asked for again every second); an unseen one fails fast with
 * StoreUnavailableError.
 */
export function createRefreshingCache<V>(options: RefreshingCacheOptions<V>): RefreshingCache<V> {
  const { read, ttlMs = 5_000, negativeTtlMs = 1_000, maxEntries = 10_000, lookupTimeoutMs = 2_000, staleIfErrorMs = 600_000 } = options;
  const entries = new Map<string, Entry<V>>();

  const load = async (key: string, entry: Entry<V>): Promise<V | null> => {
    let value: V | null;
    try {
      value = await withTimeout(read(key), lookupTimeoutMs);
    } catch (error) {
      const reason = errorMessage(error);
      const stale = entry.last && Date.now() - entry.last.readAt <= staleIfErrorMs ? entry.last : undefined;
      options.onReadError?.(reason, stale !== undefined);
      if (!stale) {
        if (entries.get(key) === entry) entries.delete(key);
        throw new StoreUnavailableError(`The gateway cannot reach its ${options.storeName} (${reason}); try again shortly.`);
      }
      entry.expiresAt = Date.now() + 1_000;
      return stale.value;
    }
    entry.last = value !== null ? { value, readAt: Date.now() } : undefined;
    entry.expiresAt = Date.now() + (value !== null ? ttlMs : negativeTtlMs);
    return value;
  };

  return {
    get(key) {
      const cached = entries.get(key);
      if (cached && cached.expiresAt > Date.now()) return cached.value;
      // Until the read finishes the entry is valid; an invalidation meanwhile removes it, so a stale read is not kept.
      const entry: Entry<V> = { value: undefined!, expiresAt: Infinity, last: cached?.last };
      setBounded(entries, key, entry, maxEntries);
      entry.value = load(key, entry);
      return entry.value;
    },
    delete(key) {
      entries.delete(key);
    },
    expireAll() {
      for (const [key, entry] of entries) {
        if (!entry.last) entries.delete(key);
        // A read in flight may return what the store held before the change: it is let go, its fallback kept.
        else if (entry.expiresAt === Infinity) entries.set(key, { value: entry.value, expiresAt: 0, last: entry.last });
        else entry.expiresAt = 0;
      }
    },
    dropPending() {
      for (const [key, entry] of entries) if (entry.expiresAt === Infinity) entries.delete(key);
    },
  };
}
