import type { BedrockCall } from "../pipeline/context.ts";
import type { BudgetEntityKind, BudgetEntityRow } from "../store/spend-types.ts";
import type { BudgetEntities } from "../cache/budget-entities.ts";
import type { BudgetScope } from "./ledger.ts";

export interface ScopeResolver {
  /** The key, its user and team, and the end user of a call, with their budgets (maxBudget null: none). */
  scopesFor(call: BedrockCall): Promise<BudgetScope[]>;
  /** Forget a cached entity after an admin change (null: all). */
  invalidate(kind: BudgetEntityKind | null, id?: string): void;
}

/** Resolves a call's budget scopes: the key's own, and its user's, team's and end user's rows (cached, shared with limits). */
export function createScopeResolver(entities: BudgetEntities<BudgetEntityRow>): ScopeResolver {
  const entity = entities.get;

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
    invalidate: entities.invalidate,
  };
}
