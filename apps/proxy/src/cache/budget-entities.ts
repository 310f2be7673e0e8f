import type { BudgetEntityKind } from "../store/spend-types.ts";
import { createRefreshingCache } from "./refreshing-cache.ts";

export interface BudgetEntities<V> {
  /** A user's, team's or end user's row; null when there is none. Throws StoreUnavailableError when unreadable and unseen. */
  get(kind: BudgetEntityKind, id: string): Promise<V | null>;
  /** Forget a cached entity after an admin change (null: all). */
  invalidate(kind: BudgetEntityKind | null, id?: string): void;
}

/**
 * Users, teams and end users as budgets and rate limits read them, once for both: cached for `ttlMs` (default 5 s,
 * as keys are), so a change on another instance applies within that time; the last known row is kept through a
 * store outage.
 */
export function cachedBudgetEntities<V>(read: (kind: BudgetEntityKind, id: string) => Promise<V | null>, options: { ttlMs?: number; maxEntries?: number } = {}): BudgetEntities<V> {
  const ttlMs = options.ttlMs ?? 5_000;
  const ref = (kind: BudgetEntityKind, id: string) => `${kind}\u0000${id}`;
  const cache = createRefreshingCache<V>({
    read: (key) => {
      const split = key.indexOf("\u0000");
      return read(key.slice(0, split) as BudgetEntityKind, key.slice(split + 1));
    },
    storeName: "store",
    ttlMs,
    negativeTtlMs: ttlMs,
    maxEntries: options.maxEntries ?? 50_000,
  });
  return {
    get: (kind, id) => cache.get(ref(kind, id)),
    invalidate: (kind, id) => (kind === null ? cache.expireAll() : cache.delete(ref(kind, id!))),
  };
}
