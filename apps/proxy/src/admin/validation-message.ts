import type { ErrorObject } from "ajv";
import { formatProblems } from "./formats.ts";

/**
 * One sentence for the first thing wrong with a value, naming the field (`models[2]`, `metadata.a`) and what the
 * spec expects there: the admin API's 400 message. Ajv stops at the first failure; the exception is an anyOf,
 * whose branches all failed (then the branches' missing fields are named together: `end_user_id or user_id`).
 */
export function describeFailure(errors: ErrorObject[]): string {
  const first = errors[0];
  if (!first) return "The request is not valid.";
  const alternatives = errors.find((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  if (alternatives) {
    const branches = errors.filter((e) => e !== alternatives && e.schemaPath.startsWith(alternatives.schemaPath + "/"));
    if (branches.length > 0 && branches.every((e) => e.keyword === "required")) {
      const names = branches.map((e) => fieldName(e.instancePath, (e.params as { missingProperty: string }).missingProperty));
      return `${names.join(" or ")} is required.`;
    }
    if (branches[0]) return sentence(branches[0]);
  }
  return sentence(first);
}

function sentence(error: ErrorObject): string {
  const where = fieldName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const got = `, got ${shown(error.data)}`;
  switch (error.keyword) {
    case "required":
      return `${fieldName(error.instancePath, params.missingProperty as string)} is required.`;
    case "unevaluatedProperties":
    case "additionalProperties": {
      const name = JSON.stringify(params.unevaluatedProperty ?? params.additionalProperty);
      return error.instancePath === "" ? `Unknown field ${name}.` : `Unknown field ${name} in ${where}.`;
    }
    case "type":
      return `${where} must be ${kinds([params.type].flat() as string[])}${got}.`;
    case "minimum":
      return params.limit === 0 ? `${where} must not be negative${got}.` : `${where} must be at least ${params.limit}${got}.`;
    case "exclusiveMinimum":
      return `${where} must be greater than ${params.limit}${got}.`;
    case "maximum":
      return `${where} must be at most ${params.limit}${got}.`;
    case "minLength":
      return params.limit === 1 ? `${where} must not be empty.` : `${where} must be at least ${params.limit} characters long.`;
    case "maxLength":
      return `${where} must be at most ${params.limit} characters long.`;
    case "minItems":
      return `${where} must have at least ${params.limit} ${params.limit === 1 ? "entry" : "entries"}.`;
    case "maxItems":
      return `${where} must have at most ${params.limit} entries.`;
    case "enum":
      return `${where} must be one of ${(params.allowedValues as unknown[]).map(String).join(", ")}${got}.`;
    case "const":
      return `${where} must be ${shown(params.allowedValue)}${got}.`;
    case "pattern":
      return `${where} must be ${expected(error.parentSchema) ?? `text matching ${params.pattern}`}${got}.`;
    case "format": {
      const problem = formatProblems[params.format as string];
      return `${problem ? problem(where, error.data) : `${where} must be a ${params.format}`}${nullable(error.parentSchema) ? ", or null" : ""}.`;
    }
    case "x-max-json-length":
      return `${where} must be at most ${error.schema} characters as JSON.`;
    default:
      return `${where} ${error.message ?? "is not valid"}.`;
  }
}

/** `/models/2` → `models[2]`, `/metadata/a` → `metadata.a`; `missing` appended as a field of that object. */
function fieldName(instancePath: string, missing?: string): string {
  const parts = instancePath.split("/").slice(1).map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (missing !== undefined) parts.push(missing);
  let out = "";
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out === "" ? part : `.${part}`;
  return out || "the body";
}

const kindNames: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  array: "a list",
  object: "a JSON object",
  null: "null",
};

function kinds(types: string[]): string {
  const names = types.map((t) => kindNames[t] ?? t);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0]!;
}

/** A schema's description is written as what a valid value is ("an AWS region name such as `eu-west-1`"). */
function expected(schema: unknown): string | undefined {
  const description = (schema as { description?: unknown } | undefined)?.description;
  return typeof description === "string" ? description.replaceAll("`", "") : undefined;
}

function nullable(schema: unknown): boolean {
  const type = (schema as { type?: unknown } | undefined)?.type;
  return Array.isArray(type) && type.includes("null");
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}
