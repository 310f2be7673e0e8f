/** ApplyGuardrail and InvokeGuardrailChecks: policy units derived from text length so tests can predict them. */
import type { OpContext } from "../../context.ts";
import { requestText } from "../../request-text.ts";
import { jsonResponse } from "../../responses.ts";

/** Bedrock bills guardrails per 1,000 characters (rounded up) for each policy evaluated. */
export function guardrailUnits(text: string): number {
  return Math.ceil(text.length / 1000);
}

/** The `GuardrailUsage` of assessing `units` text units with every policy the emulator evaluates. */
export function policyUsage(units: number) {
  return {
    topicPolicyUnits: units,
    contentPolicyUnits: units,
    wordPolicyUnits: units,
    sensitiveInformationPolicyUnits: units,
    sensitiveInformationPolicyFreeUnits: units,
    contextualGroundingPolicyUnits: units,
  };
}

export function applyGuardrail(ctx: OpContext): Response {
  const text = requestText("ApplyGuardrail", ctx.body);
  const units = guardrailUnits(text);
  // Image blocks are assessed by the content policy's image filter, one unit per image.
  const images = Array.isArray(ctx.body.content) ? ctx.body.content.filter((block) => typeof block === "object" && block !== null && "image" in block).length : 0;
  const reasoning = ctx.control.automatedReasoningPolicies ?? 0;
  return jsonResponse(ctx, {
    usage: {
      ...policyUsage(units),
      ...(images > 0 && { contentPolicyImageUnits: images }),
      ...(reasoning > 0 && { automatedReasoningPolicies: reasoning, automatedReasoningPolicyUnits: units }),
    },
    action: "NONE",
    outputs: [],
    assessments: [],
    guardrailCoverage: { textCharacters: { guarded: text.length, total: text.length }, ...(images > 0 && { images: { guarded: images, total: images } }) },
  });
}

export function invokeGuardrailChecks(ctx: OpContext): Response {
  const units = guardrailUnits(requestText("InvokeGuardrailChecks", ctx.body));
  return jsonResponse(ctx, {
    results: {},
    usage: {
      contentFilter: { textUnits: units },
      promptAttack: { textUnits: units },
      sensitiveInformation: { textUnits: units },
    },
  });
}
