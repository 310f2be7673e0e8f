import type { CallStep } from "../pipeline/step.ts";
import { log } from "../log.ts";
import type { CallPricer } from "../pricing/call-pricer.ts";

/**
 * Admission: asks the control plane (cached) which model an unmapped application inference profile or an agent
 * alias runs, so the call can be priced when it is recorded. Never refuses.
 */
export function modelLookupStep(pricer: CallPricer): CallStep {
  return {
    name: "model-lookup",
    async admit(call) {
      await pricer.prepare(call);
      return undefined;
    },
  };
}

/** Prices the call's usage onto `call.cost`; says once per model when a model has no price. */
export function priceStep(pricer: CallPricer): CallStep {
  const unpricedWarned = new Set<string>();
  return {
    name: "price",
    record(call, outcome) {
      const priced = pricer.price(call, outcome);
      call.cost = { spend: priced.spend, note: priced.note };
      if (priced.unpricedModel && !unpricedWarned.has(priced.unpricedModel)) {
        unpricedWarned.add(priced.unpricedModel);
        log.warn("no price for a model: its calls are logged with spend null (set PRICE_TABLE_PATH to price it)", { model: priced.unpricedModel, reason: priced.note });
      }
    },
  };
}
