/**
 * The per-request control object tests embed in request bodies to steer the
 * emulator (usage numbers, stream pacing, failures). Where it lives depends on
 * the operation because each API only lets free-form data through one field.
 */

export interface EmulatorControl {
  /** `cacheWrite1hInputTokens`: of the cache writes, how many had a 1-hour TTL (reported as `cacheDetails`). */
  usage?: { inputTokens?: number; outputTokens?: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number; cacheWrite1hInputTokens?: number; totalTokens?: number };
  replyWords?: number;
  events?: number;
  eventDelayMs?: number;
  firstByteDelayMs?: number;
  failAfterEvents?: number;
  failWith?: string;
  cutAfterEvents?: number;
  throttle?: boolean;
  omitUsageHeaders?: boolean;
  /** ApplyGuardrail: answer as a guardrail with this many Automated Reasoning policies (each evaluates every text unit). */
  automatedReasoningPolicies?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Finds the control object in a parsed request body for the given operation. */
export function controlFor(operation: string, body: unknown): EmulatorControl {
  if (!isObject(body)) return {};
  let raw: unknown;
  switch (operation) {
    case "Converse":
    case "ConverseStream":
      raw = isObject(body.additionalModelRequestFields) ? body.additionalModelRequestFields.emulator : undefined;
      break;
    case "InvokeAgent":
    case "InvokeInlineAgent": {
      const attrs = isObject(body.sessionState) ? body.sessionState.sessionAttributes : undefined;
      raw = isObject(attrs) ? attrs.emulator : undefined;
      break;
    }
    default:
      raw = body.emulator;
  }
  if (typeof raw === "string") {
    try {
      raw = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  return isObject(raw) ? (raw as EmulatorControl) : {};
}
