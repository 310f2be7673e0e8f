/**
 * Converse / ConverseStream with `guardrailConfig` and `trace: "enabled"`: the guardrail trace Bedrock adds, whose
 * assessments carry `invocationMetrics.usage` in policy units (the input assessed once, the reply once).
 */
import type { OpContext } from "../../context.ts";
import { requestText } from "../../request-text.ts";
import { guardrailUnits, policyUsage } from "./guardrail.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function guardrailTrace(ctx: OpContext, replyText: string): { trace: { guardrail: Json } } | Record<string, never> {
  const config = ctx.body.guardrailConfig;
  if (!isObject(config) || config.trace !== "enabled" || typeof config.guardrailIdentifier !== "string") return {};
  const id = config.guardrailIdentifier;
  const assessment = (text: string) => ({ invocationMetrics: { guardrailProcessingLatency: 1, usage: policyUsage(guardrailUnits(text)), guardrailCoverage: { textCharacters: { guarded: text.length, total: text.length } } } });
  return { trace: { guardrail: { inputAssessment: { [id]: assessment(requestText(ctx.operation, ctx.body)) }, outputAssessments: { [id]: [assessment(replyText)] } } } };
}
