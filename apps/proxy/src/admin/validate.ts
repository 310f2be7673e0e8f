import { bedrockRoutes, type components, type KeyFields } from "@bedrock-gateway/api-types";
import type { KeyPatch } from "../store/types.ts";
import { parseDuration } from "../keys/duration.ts";
import { routeGroups } from "../policy/allow-list.ts";
import { AdminError } from "./errors.ts";
import { unstorableJson } from "./text.ts";

/** A request the admin API refuses with 400; `message` says exactly what is wrong. */
export class BadRequest extends AdminError {
  constructor(message: string) {
    super(400, message);
  }
}

type Json = Record<string, unknown>;

const operationIds = new Set(bedrockRoutes.map((r) => r.operationId));
const MAX_INT = 2_147_483_647;

/** LiteLLM fields that have no effect here but are accepted, so LiteLLM scripts keep working. */
const ignoredLiteLLMFields = new Set(["tags", "send_invite_email", "key_type", "soft_budget", "aliases", "config"]);
// The field names of the spec's KeyFields and BudgetFields, each listed once here and checked against the generated
// types: a field added to or removed from openapi/gateway.yaml fails the typecheck until this list follows.
const keyFieldNames = namesOf({
  key_alias: true,
  models: true,
  allowed_routes: true,
  max_budget: true,
  budget_duration: true,
  rpm_limit: true,
  tpm_limit: true,
  duration: true,
  expires: true,
  user_id: true,
  team_id: true,
  metadata: true,
  aws_credentials: true,
} satisfies Record<keyof KeyFields, true>);

const MAX_BODY_CHARS = 64 * 1024;

/** The JSON object of an admin request's body (at most 64 KiB), or BadRequest. */
export async function readJsonObject(request: Request): Promise<Json> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) throw new BadRequest("The request body is larger than 64 KiB.");
  return parseJsonObject(text);
}

/** The JSON object of a request body, or BadRequest. */
export function parseJsonObject(text: string): Json {
  if (text.trim() === "") throw new BadRequest("The request needs a JSON object body.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest("The request body is not valid JSON.");
  }
  if (!isObject(value)) throw new BadRequest("The request body must be a JSON object.");
  const unstorable = unstorableJson(value);
  if (unstorable) throw new BadRequest(`The request body cannot be stored: ${unstorable}.`);
  return value;
}

/**
 * KeyFields (generate, update, regenerate) → a patch. Fields left out stay out; `null` clears. Unknown fields
 * are refused (a typo such as `max_budgte` must not silently mint an unlimited key), except a few LiteLLM
 * fields with no effect here. `extra` names the other fields the endpoint takes (`key`).
 */
export function parseKeyFields(body: Json, now: number, extra: string[] = []): KeyPatch {
  for (const name of Object.keys(body)) {
    if (!keyFieldNames.has(name) && !ignoredLiteLLMFields.has(name) && !extra.includes(name)) {
      throw new BadRequest(`Unknown field ${JSON.stringify(name)}.`);
    }
  }
  awsCredentialsFlag(body);
  const patch: KeyPatch = {
    keyAlias: nullableString(body, "key_alias"),
    models: stringList(body, "models", checkModel),
    allowedRoutes: stringList(body, "allowed_routes", checkRoute),
    maxBudget: nullableNumber(body, "max_budget", Number.MAX_VALUE, false),
    rpmLimit: nullableNumber(body, "rpm_limit", MAX_INT, true),
    tpmLimit: nullableNumber(body, "tpm_limit", MAX_INT, true),
    userId: nullableString(body, "user_id"),
    teamId: nullableString(body, "team_id"),
    metadata: metadata(body),
    ...expiry(body, now),
    ...budgetPeriod(body, now),
  };
  for (const key of Object.keys(patch) as (keyof KeyPatch)[]) if (patch[key] === undefined) delete patch[key];
  return patch;
}

/** `aws_credentials`: true or false, or undefined when absent. It is not a stored setting, so not in the patch. */
export function awsCredentialsFlag(body: Json): boolean | undefined {
  if (body.aws_credentials !== undefined && typeof body.aws_credentials !== "boolean") throw new BadRequest("aws_credentials must be a boolean.");
  return body.aws_credentials;
}

/** A required non-empty string field (`key`). */
export function requiredString(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "") throw new BadRequest(`${name} is required and must be a non-empty string.`);
  return value;
}

/** `keys` of /key/delete: a non-empty list of strings. */
export function keyList(body: Json): string[] {
  for (const name of Object.keys(body)) if (name !== "keys") throw new BadRequest(`Unknown field ${JSON.stringify(name)}.`);
  const keys = body.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 1000 || !keys.every((k) => typeof k === "string" && k !== "")) {
    throw new BadRequest("keys must be a list of 1 to 1000 non-empty strings.");
  }
  return keys;
}

/** An integer query parameter within bounds, or its default. */
export function intParam(value: string | null, name: string, fallback: number, min: number, max: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new BadRequest(`${name} must be an integer from ${min} to ${max}.`);
  return n;
}

export function boolParam(value: string | null, name: string): boolean {
  if (value === null || value === "false") return false;
  if (value === "true") return true;
  throw new BadRequest(`${name} must be true or false.`);
}

function expiry(body: Json, now: number): KeyPatch {
  if (body.expires !== undefined) {
    if (body.expires === null) return { expires: null };
    const ms = typeof body.expires === "string" ? strictDateTime(body.expires) : NaN;
    if (Number.isNaN(ms)) throw new BadRequest("expires must be an ISO-8601 date-time such as 2030-01-31T00:00:00Z, or null.");
    return { expires: new Date(ms).toISOString() };
  }
  if (body.duration === undefined) return {};
  if (body.duration === null) return { expires: null };
  return { expires: new Date(now + duration(body.duration, "duration")).toISOString() };
}

/**
 * An ISO-8601 date-time whose fields are all in range. `Date.parse` rolls 2030-02-30 over to March 2, so the
 * parsed date must read back as the same calendar day and time.
 */
function strictDateTime(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  const inRange = calendar.getUTCFullYear() === y && calendar.getUTCMonth() === mo - 1 && calendar.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
  return inRange ? Date.parse(text) : NaN;
}

function budgetPeriod(body: Json, now: number): KeyPatch {
  if (body.budget_duration === undefined) return {};
  if (body.budget_duration === null) return { budgetDuration: null, budgetResetAt: null };
  const ms = duration(body.budget_duration, "budget_duration");
  return { budgetDuration: body.budget_duration as string, budgetResetAt: new Date(now + ms).toISOString() };
}

function duration(value: unknown, name: string): number {
  const ms = typeof value === "string" ? parseDuration(value) : null;
  if (ms === null || ms === 0) {
    throw new BadRequest(`${name} must be a positive number followed by s, m, h or d (e.g. 30s, 15m, 24h, 30d), got ${JSON.stringify(value)}.`);
  }
  return ms;
}

function nullableString(body: Json, name: string): string | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  if (typeof value !== "string" || value === "" || value.length > 256) throw new BadRequest(`${name} must be a non-empty string of at most 256 characters, or null.`);
  return value;
}

function nullableNumber(body: Json, name: string, max: number, integer: boolean): number | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  const kind = integer ? "an integer" : "a number";
  if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new BadRequest(`${name} must be ${kind} or null.`);
  if (value < 0) throw new BadRequest(`${name} must not be negative, got ${value}.`);
  if (value > max) throw new BadRequest(`${name} must be at most ${max}.`);
  return value;
}

function stringList(body: Json, name: string, check: (item: string) => string | null): string[] | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (value === null) return [];
  if (!Array.isArray(value) || value.length > 500) throw new BadRequest(`${name} must be a list of strings (at most 500).`);
  for (const item of value) {
    if (typeof item !== "string" || item === "" || item.length > 2048) throw new BadRequest(`${name} must contain only non-empty strings.`);
    const problem = check(item);
    if (problem) throw new BadRequest(`${name}: ${problem}`);
  }
  return [...new Set(value as string[])];
}

function checkModel(model: string): string | null {
  return /[\s\u0000-\u001f]/.test(model) ? `${JSON.stringify(model)} contains whitespace or control characters.` : null;
}

function checkRoute(route: string): string | null {
  if (routeGroups.has(route) || operationIds.has(route)) return null;
  return `unknown route ${JSON.stringify(route)}; use a group (${[...routeGroups].join(", ")}) or a Bedrock operation id such as Converse.`;
}

function metadata(body: Json): Record<string, unknown> | undefined {
  const value = body.metadata;
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new BadRequest("metadata must be a JSON object.");
  if (JSON.stringify(value).length > 16_384) throw new BadRequest("metadata must be at most 16 KiB of JSON.");
  return value;
}

function namesOf(fields: Record<string, true>): Set<string> {
  return new Set(Object.keys(fields));
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Budget settings of users, teams and end users (`/user/*`, `/team/*`, `/end_user/*`): a patch, as keys parse them. */
export interface BudgetFields {
  maxBudget?: number | null;
  budgetDuration?: string | null;
  budgetResetAt?: string | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  metadata?: Record<string, unknown>;
}

const budgetFieldNames = namesOf({ max_budget: true, budget_duration: true, rpm_limit: true, tpm_limit: true, metadata: true } satisfies Record<
  keyof components["schemas"]["BudgetFields"],
  true
>);
/** LiteLLM user/team/customer fields with no effect here, accepted so LiteLLM scripts keep working. */
const ignoredBudgetLiteLLMFields = new Set(["user_email", "user_alias", "user_role", "team_alias", "alias", "send_invite_email", "tags"]);

/** `extra` names the endpoint's id fields (`user_id`...); anything else unknown is refused. */
export function parseBudgetFields(body: Json, now: number, extra: string[]): BudgetFields {
  for (const name of Object.keys(body)) {
    if (!budgetFieldNames.has(name) && !ignoredBudgetLiteLLMFields.has(name) && !extra.includes(name)) {
      throw new BadRequest(`Unknown field ${JSON.stringify(name)}.`);
    }
  }
  const patch: BudgetFields = {
    maxBudget: nullableNumber(body, "max_budget", Number.MAX_VALUE, false),
    rpmLimit: nullableNumber(body, "rpm_limit", MAX_INT, true),
    tpmLimit: nullableNumber(body, "tpm_limit", MAX_INT, true),
    metadata: metadata(body),
    ...budgetPeriod(body, now),
  };
  for (const key of Object.keys(patch) as (keyof BudgetFields)[]) if (patch[key] === undefined) delete patch[key];
  return patch;
}

/** An id field (`user_id`, `team_id`, `end_user_id`): a non-empty string of at most 256 characters. */
export function idField(body: Json, names: string[]): string {
  const name = names.find((n) => body[n] !== undefined);
  const value = name === undefined ? undefined : body[name];
  if (typeof value !== "string" || value === "" || value.length > 256) {
    throw new BadRequest(`${names.join(" or ")} is required: a non-empty string of at most 256 characters.`);
  }
  return value;
}
