import type { components, KeyFields } from "@bedrock-gateway/api-types";
import spec from "@bedrock-gateway/api-types/openapi.json" with { type: "json" };
import { parseDuration } from "../keys/duration.ts";
import type { BudgetEntityPatch } from "../store/spend-types.ts";
import type { KeyPatch } from "../store/types.ts";
import { BadRequest } from "./errors.ts";
import { formatProblems } from "./formats.ts";

type BudgetFields = components["schemas"]["BudgetFields"];

/**
 * A validated KeyFields body (generate, update, regenerate) → the store's patch. The schema has checked every
 * field's shape; what is left is meaning: fields left out stay out, `null` clears (an empty list for lists),
 * durations become dates from `now`, lists lose duplicates.
 */
export function keyPatch(body: KeyFields, now: number): KeyPatch {
  return definedOnly<KeyPatch>({
    keyAlias: body.key_alias,
    models: list(body.models),
    allowedRoutes: list(body.allowed_routes),
    allowedRegions: list(body.allowed_regions),
    maxBudget: body.max_budget,
    rpmLimit: body.rpm_limit,
    tpmLimit: body.tpm_limit,
    userId: body.user_id,
    teamId: body.team_id,
    metadata: body.metadata,
    ...expiry(body, now),
    ...budgetPeriod(body.budget_duration, now),
  });
}

/** A validated BudgetFields body of a user, team or end user → the store's patch, as keyPatch does it. */
export function budgetPatch(body: BudgetFields & { allowed_regions?: string[] | null }, now: number): BudgetEntityPatch {
  return definedOnly<BudgetEntityPatch>({
    maxBudget: body.max_budget,
    rpmLimit: body.rpm_limit,
    tpmLimit: body.tpm_limit,
    metadata: body.metadata,
    allowedRegions: list(body.allowed_regions),
    ...budgetPeriod(body.budget_duration, now),
  });
}

function list(value: string[] | null | undefined): string[] | undefined {
  return value === undefined ? undefined : [...new Set(value ?? [])];
}

function expiry(body: KeyFields, now: number): KeyPatch {
  if (body.expires !== undefined) {
    if (body.expires === null) return { expires: null };
    // The format allows a leap second (23:59:60), which Date cannot hold.
    const ms = Date.parse(body.expires);
    if (Number.isNaN(ms)) throw new BadRequest(formatProblems["date-time"]!("expires", body.expires) + ".");
    return { expires: new Date(ms).toISOString() };
  }
  if (body.duration === undefined) return {};
  if (body.duration === null) return { expires: null };
  return { expires: new Date(now + durationMs(body.duration, "duration")).toISOString() };
}

function budgetPeriod(value: string | null | undefined, now: number): Pick<KeyPatch, "budgetDuration" | "budgetResetAt"> {
  if (value === undefined) return {};
  if (value === null) return { budgetDuration: null, budgetResetAt: null };
  return { budgetDuration: value, budgetResetAt: new Date(now + durationMs(value, "budget_duration")).toISOString() };
}

/** The schema checked the shape (`30d`); zero and more than a century are refused here, with the spec's wording. */
function durationMs(value: string, name: string): number {
  const ms = parseDuration(value);
  if (ms === null || ms === 0) throw new BadRequest(`${name} must be ${spec.components.schemas.Duration.description.replaceAll("`", "")}, got ${JSON.stringify(value)}.`);
  return ms;
}

function definedOnly<T extends object>(patch: T): T {
  for (const key of Object.keys(patch) as (keyof T)[]) if (patch[key] === undefined) delete patch[key];
  return patch;
}
