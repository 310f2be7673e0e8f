import type { CallStep } from "../pipeline/step.ts";
import { log } from "../log.ts";
import { spendLogJson } from "./log-json.ts";

/** One JSON line per call: its spend row (built by the spend-row step) as the API shows it, without bodies. */
export function accessLogStep(): CallStep {
  return {
    name: "access-log",
    record(call) {
      if (!call.spendRow) return;
      // Bodies stay out of stdout even when stored; the principal kind tells master/open calls apart.
      log.info("bedrock request", Object.assign(spendLogJson(call.spendRow, { bodies: false }), { principal: call.principal.kind, method: call.request.method }));
    },
  };
}
