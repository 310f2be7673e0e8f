import type { BedrockCall } from "./context.ts";
import type { CallStep } from "./step.ts";

/** Bedrock calls admitted and not yet finished (streams included), so shutdown can wait for them. */
export interface InFlight {
  step: CallStep;
  count(): number;
  /** Resolves true once no call is in flight, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean>;
}

/** First to admit and last to record: shutdown then waits until every admitted call is fully recorded. */
export function inFlightCalls(): InFlight {
  const calls = new Set<BedrockCall>();
  let waiters: (() => void)[] = [];
  return {
    step: {
      name: "in-flight",
      admit(call) {
        calls.add(call);
        return undefined;
      },
      record(call) {
        if (!calls.delete(call) || calls.size > 0) return;
        const wake = waiters;
        waiters = [];
        for (const w of wake) w();
      },
    },
    count: () => calls.size,
    idle(timeoutMs) {
      if (calls.size === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
