/**
 * The members an operation's API model requires in its JSON body (path labels are the route's), and its enums,
 * checked as AWS checks them before the operation runs: every violation in one 400 ValidationException
 * ("1 validation error detected: Value null at 'retrievalQuery' failed to satisfy constraint: Member must not be
 * null"). Required members as in the SDKs' request types (`@aws-sdk/client-bedrock-agent-runtime`, `-runtime`).
 * InvokeAgent requires no body member: `inputText` is optional in its model (ignored when `sessionState` carries
 * `returnControlInvocationResults`).
 */
import { constraintsFailed, mustBeOneOf, mustNotBeNull, type AwsError } from "./errors.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Dotted paths; a nested one is checked only when its parent is an object (a null parent is reported alone). */
const REQUIRED: Record<string, readonly string[]> = {
  Retrieve: ["retrievalQuery"],
  RetrieveAndGenerate: ["input", "input.text"],
  RetrieveAndGenerateStream: ["input", "input.text"],
  InvokeInlineAgent: ["foundationModel", "instruction"],
  Rerank: ["queries", "sources", "rerankingConfiguration"],
  GenerateQuery: ["queryGenerationInput", "transformationConfiguration"],
  OptimizePrompt: ["input", "targetModelId"],
  InvokeFlow: ["inputs"],
  ApplyGuardrail: ["source", "content"],
  CountTokens: ["input"],
};

const ENUMS: Record<string, Record<string, readonly string[]>> = {
  ApplyGuardrail: { source: ["INPUT", "OUTPUT"] },
};

export function memberProblem(operation: string, body: Json): AwsError | null {
  const violations: string[] = [];
  for (const path of REQUIRED[operation] ?? []) {
    const keys = path.split(".");
    const parent = keys.slice(0, -1).reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), body);
    if (!isObject(parent)) continue;
    const value = parent[keys[keys.length - 1]!];
    if (value === undefined || value === null) violations.push(mustNotBeNull(path));
  }
  for (const [path, allowed] of Object.entries(ENUMS[operation] ?? {})) {
    const value = body[path];
    if (value !== undefined && value !== null && !allowed.includes(String(value))) violations.push(mustBeOneOf(value, path, allowed));
  }
  return violations.length > 0 ? constraintsFailed(violations) : null;
}
