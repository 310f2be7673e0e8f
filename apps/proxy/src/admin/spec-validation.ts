import { Ajv2020, type AnySchemaObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { components, operations } from "@bedrock-gateway/api-types";
import spec from "@bedrock-gateway/api-types/openapi.json" with { type: "json" };
import { gatewayFormats } from "./formats.ts";
import { describeFailure } from "./validation-message.ts";

type Schemas = components["schemas"];
type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
/** A query after validation: the parameters with a default in the spec are always there. */
export type ValidQuery<Op extends keyof operations, Defaulted extends keyof Query<Op> = never> = Query<Op> & Required<Pick<Query<Op>, Defaulted>>;

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: AnySchemaObject;
}
interface Operation {
  operationId?: string;
  /** Parameters inline or as a `$ref` (only the /bedrock ones, which the gateway does not validate). */
  parameters?: Parameter[];
  "x-gateway-access"?: string;
}

const SPEC_ID = "openapi.json";
const methods = ["get", "post", "put", "patch", "delete"] as const;
const paths = spec.paths as unknown as Record<string, Partial<Record<(typeof methods)[number], Operation>>>;
const operationsById = new Map<string, Operation>();
/** `GET /key/info` → its operation. */
const operationsByRoute = new Map<string, Operation>();
for (const [path, item] of Object.entries(paths)) {
  for (const method of methods) {
    const op = item[method];
    if (op?.operationId) operationsById.set(op.operationId, op);
    if (op) operationsByRoute.set(`${method.toUpperCase()} ${path}`, op);
  }
}

/**
 * Query strings as one object per operation, built from the operation's `in: query` parameters. Unknown
 * parameters are ignored, as HTTP clients and proxies add their own.
 */
function querySchemas(): Record<string, AnySchemaObject> {
  const out: Record<string, AnySchemaObject> = {};
  for (const [id, op] of operationsById) {
    const params = (op.parameters ?? []).filter((p) => p.in === "query");
    if (params.length === 0) continue;
    out[id] = {
      type: "object",
      properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
      required: params.filter((p) => p.required).map((p) => p.name),
    };
  }
  return out;
}

/**
 * One validator per use, both compiled from openapi/gateway.yaml (its JSON copy in api-types): bodies as sent
 * (no coercion), query strings coerced to the parameter's type with the spec's defaults filled in. Schemas compile
 * on first use, so the gateway's start pays only for what it serves.
 */
function specAjv(options: { coerceTypes: boolean; useDefaults: boolean }) {
  // verbose: a failure keeps its schema, so its message can say what was expected (a pattern's description).
  const ajv = new Ajv2020({ strict: true, verbose: true, allErrors: false, ...options });
  addFormats(ajv, ["date-time"]);
  for (const [name, format] of Object.entries(gatewayFormats)) ajv.addFormat(name, format.check);
  ajv.addKeyword({
    keyword: "x-max-json-length",
    type: "object",
    schemaType: "number",
    validate: (max: number, data: unknown) => JSON.stringify(data).length <= max,
  });
  // The document's own keys, outside any schema: known to Ajv so strict mode accepts them.
  ajv.addVocabulary(["components", "queries"]);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: spec.components.schemas }, queries: querySchemas() });
  return ajv;
}

const bodies = specAjv({ coerceTypes: false, useDefaults: false });
const queries = specAjv({ coerceTypes: true, useDefaults: true });

function compiled<T>(ajv: Ajv2020, pointer: string): ValidateFunction<T> {
  const validate = ajv.getSchema<T>(`${SPEC_ID}#${pointer}`);
  if (!validate) throw new Error(`openapi/gateway.yaml has no schema at ${pointer}`);
  return validate;
}

function standard<T>(validate: ValidateFunction<T>): StandardSchemaV1<unknown, T> {
  return {
    "~standard": {
      version: 1,
      vendor: "bedrock-gateway-openapi",
      validate: (value) => (validate(value) ? { value } : { issues: [{ message: describeFailure(validate.errors ?? []) }] }),
    },
  };
}

/** The spec's component schema `name`, for an Elysia route's `body`: the handler gets the generated type. */
export function specBody<Name extends keyof Schemas>(name: Name): StandardSchemaV1<unknown, Schemas[Name]> {
  return standard(compiled<Schemas[Name]>(bodies, `/components/schemas/${name}`));
}

/**
 * The query parameters of operation `operationId`, for an Elysia route's `query`. `defaulted` names the
 * parameters with a default in the spec (checked here, at start), which the handler can then rely on.
 */
export function specQuery<Op extends keyof operations, Defaulted extends keyof Query<Op> = never>(
  operationId: Op,
  defaulted: Defaulted[] = [],
): StandardSchemaV1<unknown, ValidQuery<Op, Defaulted>> {
  const op = operationsById.get(operationId);
  const params = (op?.parameters ?? []).filter((p) => p.in === "query");
  const withDefault = params.filter((p) => p.schema?.default !== undefined).map((p) => p.name).sort();
  if (params.length === 0 || String([...defaulted].sort()) !== String(withDefault)) {
    throw new Error(`specQuery(${operationId}): the spec's defaulted query parameters are [${withDefault.join(", ")}], not [${defaulted.join(", ")}]`);
  }
  return standard(compiled<ValidQuery<Op, Defaulted>>(queries, `/queries/${operationId}`));
}

/** A body checked outside Elysia's routes (the admin page's sign-in): the value, or the message saying what is wrong. */
export function checkBody<Name extends keyof Schemas>(name: Name, value: unknown): { value: Schemas[Name] } | { message: string } {
  const validate = compiled<Schemas[Name]>(bodies, `/components/schemas/${name}`);
  return validate(value) ? { value } : { message: describeFailure(validate.errors ?? []) };
}

/** `x-gateway-access` of the operation at `method path`: "self" lets a virtual key call it about itself. */
export function operationAccess(method: string, path: string): "master" | "self" {
  return operationsByRoute.get(`${method} ${path}`)?.["x-gateway-access"] === "self" ? "self" : "master";
}

/** The spec's operation id for `method path` (`POST /key/generate` → generateKey), if the spec has it. */
export function specOperationId(method: string, path: string): string | undefined {
  return operationsByRoute.get(`${method} ${path}`)?.operationId;
}
