import type { BedrockCall } from "../pipeline/context.ts";
import { refuse } from "../pipeline/refusal.ts";
import type { CallStep } from "../pipeline/step.ts";
import { log, warnAtMostEvery } from "../log.ts";
import type { BudgetEntityKind } from "../store/spend-types.ts";
import type { Usage } from "../usage/types.ts";
import { modelLimitsFor, type ModelLimits } from "./model-limits.ts";
import { type LimitCheck, type RateLimiter, windowStartOf } from "./rate-limiter.ts";
import { errorMessage } from "../error-message.ts";
import { estimateTokens } from "../usage/estimate.ts";

/** rpm_limit / tpm_limit of a user, team or end user (cached: `cachedBudgetEntities`); null when it has none (or does not exist). */
export type EntityLimitsLookup = (kind: BudgetEntityKind, id: string) => Promise<{ rpmLimit: number | null; tpmLimit: number | null } | null>;

export interface LimitsStepOptions {
  limiter: RateLimiter;
  /** GATEWAY_MODEL_LIMITS, parsed. */
  modelLimits?: ModelLimits;
  /** Limits of users, teams and end users (from the store); omitted: only keys and models are limited. */
  entityLimits?: EntityLimitsLookup;
  /** Default 60 s: rpm and tpm are per clock minute. */
  windowMs?: number;
}

/** The limits step, plus a flush that waits for token settlements still on their way to Redis. */
export interface LimitsStep extends CallStep {
  flush(): Promise<void>;
}

interface Scope {
  /** Counter prefix, e.g. `key:<hash>`. */
  id: string;
  /** Names the scope in refusals, e.g. `key "ci-bot"`. */
  label: string;
  rpm: number | null;
  tpm: number | null;
}

const ESTIMATE_CAP = 100_000;
const names = { rpm: "rpm_limit", tpm: "tpm_limit" } as const;

/**
 * RPM and TPM limits per key, user, team, end user, and gateway-wide per model and region. A call is counted
 * against every scope at once, atomically; over any limit it is refused with a 429 ThrottlingException and a
 * retry-after header, before Bedrock. Tokens: an estimate (input from the body, output from the call's max tokens
 * or the model's cap) is reserved once the body is read and replaced by the real count (input + output + cache)
 * when the call ends. A call is refused while a scope's tokens in the current minute, reservations included, are
 * already at or over its limit.
 */
export function limitsStep(options: LimitsStepOptions): LimitsStep {
  const { limiter, modelLimits = {}, windowMs = 60_000 } = options;
  const entities = options.entityLimits ? entityScopes(options.entityLimits) : null;
  const pending = new Set<Promise<void>>();

  const scopesOf = async (call: BedrockCall): Promise<Scope[]> => {
    const scopes: Scope[] = [];
    const principal = call.principal;
    const lookups: Promise<Scope | null>[] = [];
    if (principal.kind === "virtual") {
      const key = principal.key;
      scopes.push({ id: `key:${principal.keyHash}`, label: `key ${key.keyAlias ? JSON.stringify(key.keyAlias) : principal.keyHash.slice(0, 12)}`, rpm: key.rpmLimit, tpm: key.tpmLimit });
      if (entities && key.userId) lookups.push(entities("user", key.userId));
      if (entities && key.teamId) lookups.push(entities("team", key.teamId));
    }
    if (entities && call.endUser) lookups.push(entities("end_user", call.endUser));
    for (const scope of await Promise.all(lookups)) if (scope) scopes.push(scope);
    const model = call.modelId !== null ? modelLimitsFor(modelLimits, call.modelId, call.region) : null;
    if (model) scopes.push({ id: `model:${call.modelId}@${call.region}`, label: `model ${call.modelId} in ${call.region} (gateway-wide)`, rpm: model.rpm ?? null, tpm: model.tpm ?? null });
    return scopes.filter((s) => s.rpm !== null || s.tpm !== null);
  };

  const settle = (call: BedrockCall, usage: Usage | null) => {
    const reservation = call.reservation;
    if (!reservation) return;
    call.reservation = undefined;
    const actual = usage ? usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens : 0;
    const now = windowStartOf(Date.now(), windowMs);
    for (const { scope, reserved } of reservation.tokens) {
      // Still the same minute: replace the estimate. A later minute: the tokens count there.
      const [amount, windowStart] = now === reservation.windowStart ? [actual - reserved, reservation.windowStart] : [actual, now];
      if (amount === 0) continue;
      const done = limiter
        .add(scope, amount, windowMs, windowStart)
        .catch((error) => log.warn("could not settle a token counter", { scope, error: errorMessage(error) }))
        .finally(() => pending.delete(done));
      pending.add(done);
    }
  };

  /** The scopes found at admission, for the token reservation once the body is read. */
  const scopesByCall = new WeakMap<BedrockCall, Scope[]>();
  /** One atomic hit over the given checks; the Refusal names the scope that is over. */
  const hit = async (checks: LimitCheck[], owners: Map<LimitCheck, Scope>) => {
    const result = await limiter.hit(checks, windowMs);
    if (result.ok) return result;
    const { check } = result;
    const kind = check.mode === "fits" ? "rpm" : "tpm";
    const unit = kind === "rpm" ? "requests" : "tokens";
    return refuse.throttling(
      `Rate limit exceeded for ${owners.get(check)!.label}: ${names[kind]} ${check.limit} ${unit} per minute. Retry after ${result.retryAfterSeconds} s.`,
      result.retryAfterSeconds,
    );
  };

  return {
    name: "limits",
    /** Requests per minute, before the body is read. */
    async admit(call) {
      const scopes = await scopesOf(call);
      scopesByCall.set(call, scopes);
      const checks: LimitCheck[] = [];
      const owners = new Map<LimitCheck, Scope>();
      for (const scope of scopes) if (scope.rpm !== null) owners.set(checks[checks.push({ scope: `${scope.id}:rpm`, limit: scope.rpm, amount: 1, mode: "fits" }) - 1], scope);
      if (checks.length === 0) return undefined;
      const result = await hit(checks, owners);
      return "ok" in result ? undefined : result;
    },
    /**
     * Tokens per minute, with the body read: the call reserves its estimate (input from the body, output from its
     * max tokens or the model's cap) and is refused while a scope's tokens, reservations included, are at or over
     * its limit; the estimate is replaced by the real count when the call is recorded. Concurrent calls thus
     * exceed a limit by at most one call's reservation.
     */
    async reserve(call) {
      const scopes = (scopesByCall.get(call) ?? []).filter((scope) => scope.tpm !== null);
      if (scopes.length === 0) return undefined;
      const { input, output } = estimateTokens(call.route.operation?.operationId ?? null, call.modelId, call.body);
      const estimate = Math.min(ESTIMATE_CAP, input + output);
      const checks: LimitCheck[] = [];
      const owners = new Map<LimitCheck, Scope>();
      for (const scope of scopes) owners.set(checks[checks.push({ scope: `${scope.id}:tpm`, limit: scope.tpm!, amount: Math.min(estimate, scope.tpm!), mode: "below" }) - 1], scope);
      const result = await hit(checks, owners);
      if (!("ok" in result)) return result;
      call.reservation = { windowStart: result.windowStart, tokens: checks.map((c) => ({ scope: c.scope, reserved: c.amount })) };
      return undefined;
    },
    record(call, outcome) {
      settle(call, outcome.usage);
    },
    async flush() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

const labels: Record<BudgetEntityKind, string> = { user: "user", team: "team", end_user: "end user" };

/** An entity's limits as a scope; when the store cannot tell (and has no last known row), no limit applies meanwhile. */
function entityScopes(lookup: EntityLimitsLookup) {
  const warn = warnAtMostEvery();
  return async (kind: BudgetEntityKind, id: string): Promise<Scope | null> => {
    try {
      const limits = await lookup(kind, id);
      return limits && (limits.rpmLimit !== null || limits.tpmLimit !== null)
        ? { id: `${kind}:${id}`, label: `${labels[kind]} ${JSON.stringify(id)}`, rpm: limits.rpmLimit, tpm: limits.tpmLimit }
        : null;
    } catch (error) {
      warn(`cannot read ${labels[kind]} limits from the store: not applied meanwhile`, { error: errorMessage(error) });
      return null;
    }
  };
}
