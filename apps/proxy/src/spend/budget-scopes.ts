import type { BedrockCall } from "../bedrock/call.ts";
import type { BudgetEntityKind, BudgetEntityRow } from "../store/spend-types.ts";
import type { Store } from "../store/types.ts";
import type { BudgetScope } from "./ledger.ts";
import { StoreUnavailableError } from "../keys/key-cache.ts";
import { withinMs } from "../store/deadline.ts";
import { errorMessage } from "../error-message.ts";

export interface ScopeResolver {
  /** The key, its user and team, and the end user of a call, with their budgets (maxBudget null: none). */
  scopesFor(call: BedrockCall): Promise<BudgetScope[]>;
  /** Forget a cached entity after an admin change (null: all). */
  invalidate(kind: BudgetEntityKind | null, id?: string): void;
}

/**
 * Resolves a call's budget scopes. Users, teams and end users are read from the store and cached for `ttlMs`
 * (default 5 s, as keys are), so a budget change on another instance applies within that time.
 */
export function createScopeResolver(store: Store, options: { ttlMs?: number; maxEntries?: number; lookupTimeoutMs?: number } = {}): ScopeResolver {
  const { ttlMs = 5_000, maxEntries = 50_000, lookupTimeoutMs = 2_000 } = options;
  const cache = new Map<string, { row: Promise<BudgetEntityRow | null>; expiresAt: number }>();

  const entity = (kind: BudgetEntityKind, id: string) => {
    const ref = `${kind}\u0000${id}`;
    const now = Date.now();
    const hit = cache.get(ref);
    if (hit && hit.expiresAt > now) return hit.row;
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    // A store that hangs fails the call fast (503) instead of holding it for the length of the outage.
    const row = withinMs(store.getBudgetEntity(kind, id), lookupTimeoutMs).catch((error) => {
      throw new StoreUnavailableError(`The gateway cannot read the budget of ${kind} ${id.slice(0, 64)} (${errorMessage(error)}).`);
    });
    const entry = { row, expiresAt: now + ttlMs };
    cache.set(ref, entry);
    row.catch(() => cache.get(ref) === entry && cache.delete(ref));
    return row;
  };

  const scopeOf = async (kind: BudgetEntityKind, id: string): Promise<BudgetScope> => {
    const row = await entity(kind, id);
    return { kind, id, maxBudget: row?.maxBudget ?? null, budgetDuration: row?.budgetDuration ?? null, budgetResetAt: row?.budgetResetAt ?? null };
  };

  return {
    async scopesFor(call) {
      const pending: Promise<BudgetScope>[] = [];
      const { principal } = call;
      if (principal.kind === "virtual") {
        const key = principal.key;
        pending.push(Promise.resolve({ kind: "key", id: principal.keyHash, maxBudget: key.maxBudget, budgetDuration: key.budgetDuration, budgetResetAt: null }));
        if (key.userId !== null) pending.push(scopeOf("user", key.userId));
        if (key.teamId !== null) pending.push(scopeOf("team", key.teamId));
      }
      if (call.endUser !== null) pending.push(scopeOf("end_user", call.endUser));
      return Promise.all(pending);
    },
    invalidate(kind, id) {
      if (kind === null) cache.clear();
      else cache.delete(`${kind}\u0000${id}`);
    },
  };
}
