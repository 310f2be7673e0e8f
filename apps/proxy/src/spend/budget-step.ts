import type { CallStep } from "../pipeline/step.ts";
import { refuse } from "../pipeline/refusal.ts";
import type { ScopeResolver } from "./budget-scopes.ts";
import { displayCost } from "./cost-display.ts";
import type { BudgetLedger, BudgetScope } from "./ledger.ts";
import { costOf, type PriceTable } from "../pricing/index.ts";
import { estimatedImages, estimatedUsage, estimateTokens } from "../usage/estimate.ts";

/**
 * Refuses a call when any of its scopes (key, the key's user and team, the end user) has spent its `max_budget` in
 * the current window: 403 AccessDeniedException, not 429, because retrying cannot help until the window resets
 * (SDKs retry throttling errors automatically). Once the body is read, the call reserves its estimated cost (input
 * from the body, output from its max tokens or the model's cap) in every scope, atomically and across instances,
 * and is refused when spend and the reservations of calls in flight already reach a budget: concurrent calls
 * overspend by at most one call's reservation. The spend-row step replaces the reservation with the real cost.
 * The scopes stay on the call for the spend-row step.
 */
export function budgetStep(options: { ledger: BudgetLedger; scopes: ScopeResolver; prices: PriceTable }): CallStep {
  const { ledger, scopes: resolver, prices } = options;
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
    async reserve(call) {
      const scopes = call.budgetScopes;
      if (!scopes || scopes.every((scope) => scope.maxBudget === null)) return undefined;
      const usage = estimatedImages(call.modelId, call.body) ?? estimatedUsage(estimateTokens(call.route.operation?.operationId ?? null, call.modelId, call.body));
      const cost = costOf(usage, call.modelId, call.region, prices).cost ?? 0;
      if (cost <= 0) return undefined;
      const over = await ledger.reserve(scopes, cost);
      if (over) {
        return refuse.accessDenied(
          `Budget exceeded for ${describeScope(over.scope)}: spent and reserved by calls in flight $${displayCost(over.spent)} of max_budget $${over.scope.maxBudget}` +
            (over.scope.budgetDuration ? ` (budget_duration ${over.scope.budgetDuration}).` : "."),
        );
      }
      call.budgetReserved = cost;
      return undefined;
    },
  };
}

function describeScope(scope: BudgetScope): string {
  if (scope.kind === "key") return "this gateway key";
  return `${scope.kind === "end_user" ? "end user" : scope.kind} ${JSON.stringify(scope.id)}`;
}
