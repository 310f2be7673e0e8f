import type { Store, KeyRow } from "../store/types.ts";
import type { KeyInvalidation } from "./invalidation.ts";

export interface KeyCacheOptions {
  store: Store;
  invalidation: KeyInvalidation;
  /** How long a found key is trusted without asking the store. Default 5 s. */
  ttlMs?: number;
  /** How long "no such key" is remembered, so a flood of bad keys does not reach the store. Default 1 s. */
  negativeTtlMs?: number;
  /** Entries kept at most; the oldest go first. Default 10,000. */
  maxEntries?: number;
}

export interface KeyCache {
  /** The stored key for a token hash, or null. Concurrent lookups of one token share one store read. */
  get(token: string): Promise<KeyRow | null>;
  /** Drops one token (null: all). */
  invalidate(token: string | null): void;
}

interface Entry {
  value: Promise<KeyRow | null>;
  expiresAt: number;
}

/** Per-request key lookup: a Map by token hash with a short TTL, emptied by the invalidation channel. */
export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const { store, ttlMs = 5_000, negativeTtlMs = 1_000, maxEntries = 10_000 } = options;
  const entries = new Map<string, Entry>();

  const invalidate = (token: string | null) => (token === null ? entries.clear() : void entries.delete(token));
  options.invalidation.subscribe(invalidate);

  return {
    invalidate,
    get(token) {
      const now = Date.now();
      const cached = entries.get(token);
      if (cached && cached.expiresAt > now) return cached.value;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      // Until the read finishes the entry is valid; an invalidation meanwhile removes it, so a stale read is not kept.
      const entry: Entry = { value: store.getKey(token), expiresAt: Infinity };
      entries.delete(token);
      entries.set(token, entry);
      entry.value.then(
        (row) => (entry.expiresAt = Date.now() + (row ? ttlMs : negativeTtlMs)),
        () => entries.get(token) === entry && entries.delete(token),
      );
      return entry.value;
    },
  };
}
