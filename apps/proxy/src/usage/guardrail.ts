import { at, count, isObject } from "./json.ts";
import { addGuardrailUnits, type GuardrailUnits, type Usage, zeroGuardrailUnits, zeroTokens } from "./types.ts";

/**
 * Policy units from a `GuardrailUsage` object (ApplyGuardrail `usage`, or `invocationMetrics.usage` of an assessment),
 * or from InvokeGuardrailChecks' `usage` ({contentFilter, promptAttack, sensitiveInformation: {textUnits}}).
 * Null when the object has neither shape.
 */
export function guardrailUnitsFromUsage(usage: unknown): GuardrailUnits | null {
  if (!isObject(usage)) return null;
  const units = zeroGuardrailUnits();
  let seen = false;
  const take = (key: keyof GuardrailUnits, value: unknown) => {
    const n = count(value);
    if (n === undefined) return;
    units[key] += n;
    seen = true;
  };
  take("content", usage.contentPolicyUnits);
  take("contentImage", usage.contentPolicyImageUnits);
  take("topic", usage.topicPolicyUnits);
  take("word", usage.wordPolicyUnits);
  take("sensitiveInformation", usage.sensitiveInformationPolicyUnits);
  take("sensitiveInformationFree", usage.sensitiveInformationPolicyFreeUnits);
  take("contextualGrounding", usage.contextualGroundingPolicyUnits);
  // Automated Reasoning is billed per 1,000 text units per policy: `automatedReasoningPolicyUnits` are the text
  // units each of the `automatedReasoningPolicies` evaluated.
  const reasoningUnits = count(usage.automatedReasoningPolicyUnits);
  if (reasoningUnits !== undefined) take("automatedReasoning", reasoningUnits * Math.max(1, count(usage.automatedReasoningPolicies) ?? 1));
  // InvokeGuardrailChecks: prompt-attack detection is part of the content filters.
  take("content", at(usage, "contentFilter", "textUnits"));
  take("content", at(usage, "promptAttack", "textUnits"));
  take("sensitiveInformation", at(usage, "sensitiveInformation", "textUnits"));
  return seen ? units : null;
}

/** ApplyGuardrail / InvokeGuardrailChecks response body → usage in policy units (no tokens). */
export function guardrailUsageFromBody(body: unknown): Usage {
  const units = guardrailUnitsFromUsage(at(body, "usage"));
  if (!units) return { ...zeroTokens(), source: "not-exposed", note: "the guardrail response carried no usage", complete: false };
  return { ...zeroTokens(), guardrailUnits: units, source: "guardrail-usage", complete: true };
}

/**
 * Units from a Converse(Stream) guardrail trace (`trace.guardrail`): the sum over its input assessments and
 * output assessments of `invocationMetrics.usage`. Null when the trace reports none.
 */
export function guardrailUnitsFromTrace(guardrailTrace: unknown): GuardrailUnits | null {
  if (!isObject(guardrailTrace)) return null;
  const total = zeroGuardrailUnits();
  let seen = false;
  const addAssessment = (assessment: unknown) => {
    const units = guardrailUnitsFromUsage(at(assessment, "invocationMetrics", "usage"));
    if (!units) return;
    addGuardrailUnits(total, units);
    seen = true;
  };
  const input = guardrailTrace.inputAssessment;
  if (isObject(input)) for (const assessment of Object.values(input)) addAssessment(assessment);
  const outputs = guardrailTrace.outputAssessments;
  if (isObject(outputs)) {
    for (const list of Object.values(outputs)) if (Array.isArray(list)) for (const assessment of list) addAssessment(assessment);
  }
  return seen ? total : null;
}
