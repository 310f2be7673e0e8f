import { setBounded } from "../cache/bounded-map.ts";
import { parseDuration } from "../keys/duration.ts";
import { nextBudgetReset, type BudgetEntityKind } from "../store/spend-types.ts";
import type { Store } from "../store/types.ts";

export interface BudgetScope {
  kind: "key" | BudgetEntityKind;
  id: string;
  maxBudget: number | null;
  budgetDuration: string | null;
  budgetResetAt: string | null;
}

/** Running spend per scope in its current budget window, as fast as memory (or one Redis round trip). */
export interface BudgetLedger {
  /** Spend in the scope's current window, including settled calls not yet flushed to the store. */
  spent(scope: BudgetScope): Promise<number>;
  /** Adds a settled call's cost to every scope (called once per call, at finish; with a reservation, the difference). */
  add(scopes: BudgetScope[], amount: number): Promise<void>;
  /**
   * Atomically: the first scope whose budget is already reached (reservations of calls in flight included), or
   * else adds `amount` to every scope and null. A call's reservation is settled with `add(real - amount)`.
   */
  reserve(scopes: BudgetScope[], amount: number): Promise<{ scope: BudgetScope; spent: number } | null>;
  close(): Promise<void>;
}

export interface LocalLedgerOptions {
  /** Scopes kept in memory at most; the least recently used are dropped (and re-read from the store). Default 100,000. */
  maxEntries?: number;
  now?: () => number;
  /** Called when a scope's window ended, so the store starts its new window too. */
  onWindowEnd?: () => void;
}

interface Entry {
  amount: number;
  /** Epoch ms when the current window ends; null without a budget duration. */
  windowEnd: number | null;
}

/**
 * The in-process ledger: each scope's spend is read from the store once, then counted in memory. Every call
 * for a scope passes `add` (after the scope's seed) before its spend row is queued, so the store's figure at
 * seeding time never includes a call the ledger also counts. One process only: on several instances use a
 * shared ledger (Redis).
 */
export function localBudgetLedger(store: Store, options: LocalLedgerOptions = {}): BudgetLedger {
  const { maxEntries = 100_000, now = Date.now } = options;
  const entries = new Map<string, Promise<Entry>>();

  const seed = async (scope: BudgetScope): Promise<Entry> => {
    if (scope.kind === "key") {
      const row = await store.getKey(scope.id);
      return { amount: row?.spend ?? 0, windowEnd: windowEndOf(row?.budgetResetAt ?? scope.budgetResetAt) };
    }
    const row = await store.getBudgetEntity(scope.kind, scope.id);
    return { amount: row?.spend ?? 0, windowEnd: windowEndOf(row?.budgetResetAt ?? scope.budgetResetAt) };
  };

  const entry = async (scope: BudgetScope): Promise<Entry> => {
    const ref = `${scope.kind}\u0000${scope.id}`;
    let found = entries.get(ref);
    if (found) {
      entries.delete(ref);
      entries.set(ref, found);
    } else {
      found = seed(scope);
      setBounded(entries, ref, found, maxEntries);
      found.catch(() => entries.get(ref) === found && entries.delete(ref));
    }
    return roll(await found, scope);
  };

  /** A new window starts at 0; a scope given a duration starts its first window now. */
  const roll = (e: Entry, scope: BudgetScope): Entry => {
    const ms = scope.budgetDuration ? parseDuration(scope.budgetDuration) : null;
    if (!ms) {
      e.windowEnd = null;
      return e;
    }
    const t = now();
    const declared = windowEndOf(scope.budgetResetAt);
    // The scope's own reset time wins when it is newer (an admin changed the duration).
    if (declared !== null && (e.windowEnd === null || declared > e.windowEnd)) e.windowEnd = declared;
    if (e.windowEnd === null) e.windowEnd = Date.parse(nextBudgetReset(null, ms, t));
    else if (t >= e.windowEnd) {
      e.amount = 0;
      e.windowEnd = Date.parse(nextBudgetReset(new Date(e.windowEnd).toISOString(), ms, t));
      options.onWindowEnd?.();
    }
    return e;
  };

  return {
    async spent(scope) {
      return (await entry(scope)).amount;
    },
    async add(scopes, amount) {
      const found = await Promise.all(scopes.map(entry));
      for (const e of found) e.amount += amount;
    },
    async reserve(scopes, amount) {
      const found = await Promise.all(scopes.map(entry));
      // No await between the check and the add: no other call can slip in.
      for (let i = 0; i < scopes.length; i++) {
        const max = scopes[i]!.maxBudget;
        if (max !== null && found[i]!.amount >= max) return { scope: scopes[i]!, spent: found[i]!.amount };
      }
      for (const e of found) e.amount += amount;
      return null;
    },
    async close() {
      entries.clear();
    },
  };
}

function windowEndOf(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}
