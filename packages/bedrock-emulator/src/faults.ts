/**
 * Faults an operator of the emulator switches on from outside the request (start options, the control endpoint,
 * or `emulator.faults.set`), so a test can make one "region" throttle or fail while the request bytes stay the
 * same: what a gateway's cross-region failover must see. Per-request failures stay in the body's control object.
 */
import { AwsError } from "./errors.ts";

/** The AWS errors a fault can answer with, and their HTTP status as Bedrock sends them. */
export const faultStatus = {
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
  ModelTimeoutException: 408,
  ValidationException: 400,
} as const;

export type FaultError = keyof typeof faultStatus;

export interface FaultRule {
  /** Signing region the rule applies to; default: every region. */
  region?: string;
  /** Model id (exact, or with `*` wildcards); default: every call, with or without a model. */
  model?: string;
  /**
   * Operation name (exact, or with `*` wildcards), e.g. `GetInferenceProfile` or `GetAgent*`; default: every runtime
   * and agent-runtime operation. Control-plane reads (GetInferenceProfile, GetAgent...) fail only by a rule naming them.
   */
  operation?: string;
  /** Let this many matching calls through before failing (default 0: fail from the first). */
  afterCalls?: number;
  /** Fail at most this many calls, then let calls through again; default: no end. */
  times?: number;
  error: FaultError;
  /**
   * Fail inside the answer instead: a streaming call sends this many frames, then an exception frame of `error`
   * (lower camel case, as Bedrock names stream exceptions). Non-streaming calls are not affected.
   */
  afterEvents?: number;
}

/** A rule with its counters, as `GET /__emulator/faults` shows it. */
export interface FaultState extends FaultRule {
  /** Matching calls seen so far. */
  seen: number;
  /** Calls this rule failed. */
  failed: number;
}

/** What a fault does to one call: answer an error now, or fail its stream after some frames. */
export type FaultAction = { kind: "error"; error: AwsError } | { kind: "mid-stream"; afterEvents: number; failWith: string };

export interface Faults {
  set(rules: FaultRule[]): void;
  list(): FaultState[];
  clear(): void;
  /**
   * Counts the call against every matching rule; the first rule that fires decides. `controlPlane`: the call is a
   * control-plane read, which only rules with an `operation` match.
   */
  apply(region: string, modelId: string | null, operation?: string | null, controlPlane?: boolean): FaultAction | null;
}

export function createFaults(initial: FaultRule[] = []): Faults {
  let rules: { state: FaultState; model: RegExp | null; operation: RegExp | null }[] = [];
  const faults: Faults = {
    set(next) {
      rules = next.map((rule) => ({
        state: { ...checkRule(rule), seen: 0, failed: 0 },
        model: rule.model === undefined ? null : pattern(rule.model),
        operation: rule.operation === undefined ? null : pattern(rule.operation),
      }));
    },
    list: () => rules.map((r) => ({ ...r.state })),
    clear: () => faults.set([]),
    apply(region, modelId, operationName = null, controlPlane = false) {
      let action: FaultAction | null = null;
      for (const { state, model, operation } of rules) {
        if (state.region !== undefined && state.region !== region) continue;
        if (model !== null && (modelId === null || !model.test(modelId))) continue;
        if (operation === null ? controlPlane : operationName === null || !operation.test(operationName)) continue;
        state.seen++;
        if (action || state.seen <= (state.afterCalls ?? 0)) continue;
        if (state.times !== undefined && state.failed >= state.times) continue;
        state.failed++;
        action =
          state.afterEvents !== undefined
            ? { kind: "mid-stream", afterEvents: state.afterEvents, failWith: state.error[0]!.toLowerCase() + state.error.slice(1) }
            : { kind: "error", error: new AwsError(faultStatus[state.error], state.error, `The emulator answers ${state.error} on purpose (fault rule).`) };
      }
      return action;
    },
  };
  faults.set(initial);
  return faults;
}

/** Refuses a rule the emulator could not apply, naming the field. */
export function checkRule(rule: FaultRule): FaultRule {
  if (typeof rule !== "object" || rule === null) throw new TypeError("a fault rule must be an object");
  if (!(rule.error in faultStatus)) throw new TypeError(`fault rule error must be one of ${Object.keys(faultStatus).join(", ")}`);
  for (const name of ["afterCalls", "times", "afterEvents"] as const) {
    const v = rule[name];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new TypeError(`fault rule ${name} must be a non-negative integer`);
  }
  for (const name of ["region", "model", "operation"] as const) {
    if (rule[name] !== undefined && typeof rule[name] !== "string") throw new TypeError(`fault rule ${name} must be a string`);
  }
  return rule;
}

function pattern(model: string): RegExp {
  return new RegExp(`^${model.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`);
}

export const FAULTS_PATH = "/__emulator/faults";

/**
 * `GET` lists the rules with their counters, `PUT`/`POST` replaces them (a JSON array of rules, or
 * `{"rules": [...]}`), `DELETE` clears them. Unsigned on purpose: it is the test's hand on the emulator, not an
 * AWS API, and the emulator only ever listens where tests run.
 */
export async function faultsEndpoint(faults: Faults, request: Request): Promise<Response> {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  if (request.method === "GET") return json({ rules: faults.list() });
  if (request.method === "DELETE") {
    faults.clear();
    return json({ rules: [] });
  }
  if (request.method !== "PUT" && request.method !== "POST") return json({ message: "use GET, PUT, POST or DELETE" }, 405);
  try {
    const body: unknown = await request.json();
    const rules = Array.isArray(body) ? body : (body as { rules?: unknown })?.rules;
    if (!Array.isArray(rules)) throw new TypeError("the body must be a JSON array of fault rules or {\"rules\": [...]}");
    faults.set(rules as FaultRule[]);
    return json({ rules: faults.list() });
  } catch (error) {
    return json({ message: error instanceof Error ? error.message : String(error) }, 400);
  }
}
