import type { CallStep } from "../pipeline/step.ts";
import { refuse } from "../pipeline/refusal.ts";
import type { ScopeResolver } from "./budget-scopes.ts";
import { displayCost } from "./cost-display.ts";
import type { BudgetLedger, BudgetScope } from "./ledger.ts";

/**
 * Refuses a call when any of its scopes (key, the key's user and team, the end user) has spent its `max_budget` in
 * the current window: 403 AccessDeniedException, not 429, because retrying cannot help until the window resets
 * (SDKs retry throttling errors automatically). Calls admitted while others are in flight can overspend by at most
 * those calls' cost. The scopes stay on the call for the spend-row step.
 */
export function budgetStep(options: { ledger: BudgetLedger; scopes: ScopeResolver }): CallStep {
  const { ledger, scopes: resolver } = options;
  return {
    name: "budget",
    async admit(call) {
      const scopes = (call.budgetScopes = await resolver.scopesFor(call));
      for (const scope of scopes) {
        if (scope.maxBudget === null) continue;
        const spent = await ledger.spent(scope);
        if (spent >= scope.maxBudget) {
          return refuse.accessDenied(
            `Budget exceeded for ${describeScope(scope)}: spent $${displayCost(spent)} of max_budget $${scope.maxBudget}` +
              (scope.budgetDuration ? ` (budget_duration ${scope.budgetDuration}).` : "."),
          );
        }
      }
      return undefined;
    },
  };
}

function describeScope(scope: BudgetScope): string {
  if (scope.kind === "key") return "this gateway key";
  return `${scope.kind === "end_user" ? "end user" : scope.kind} ${JSON.stringify(scope.id)}`;
}
