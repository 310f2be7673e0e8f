import { describe, expect, it } from "vitest";
import type { BedrockCall } from "../../src/pipeline/context.ts";
import type { CallOutcome } from "../../src/pipeline/step.ts";
import { cachedBudgetEntities } from "../../src/cache/budget-entities.ts";
import { limitsStep } from "../../src/limits/limits-step.ts";
import { renderRefusal } from "../../src/pipeline/refusal.ts";
import type { CallStep } from "../../src/pipeline/step.ts";
import { localLimiter } from "../../src/limits/local-limiter.ts";
import { modelLimitsFor, parseModelLimits, ModelLimitsError } from "../../src/limits/model-limits.ts";
import type { VirtualKeyView } from "../../src/auth/principal.ts";

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";

function keyView(overrides: Partial<VirtualKeyView> = {}): VirtualKeyView {
  return { token: "t", keyAlias: null, models: [], allowedRoutes: [], userId: null, teamId: null, maxBudget: null, budgetDuration: null, spend: 0, rpmLimit: null, tpmLimit: null, expires: null, metadata: {}, ...overrides };
}

/** A Converse body of exactly `bytes` bytes asking for at most `maxTokens` output tokens. */
function converseBody(bytes: number, maxTokens: number): Uint8Array<ArrayBuffer> {
  const base = JSON.stringify({ inferenceConfig: { maxTokens }, pad: "" });
  return new TextEncoder().encode(base.replace('"pad":""', `"pad":"${"x".repeat(Math.max(0, bytes - base.length))}"`));
}

function makeCall(options: { key?: Partial<VirtualKeyView> | null; modelId?: string; region?: string; endUser?: string; bytes?: number; maxTokens?: number } = {}): BedrockCall {
  const principal = options.key === null ? { kind: "master" as const } : { kind: "virtual" as const, keyHash: "hash-" + (options.key?.keyAlias ?? "k"), key: keyView(options.key ?? {}) };
  return {
    requestId: crypto.randomUUID(),
    startedAt: Date.now(),
    request: new Request("http://localhost/bedrock/x", { method: "POST", headers: { "content-length": String(options.bytes ?? 400) } }),
    target: { path: "/x", query: "", segments: ["x"] },
    route: { operation: { operationId: "Converse" } } as BedrockCall["route"],
    region: options.region ?? "us-east-1",
    principal,
    modelId: options.modelId ?? HAIKU,
    endUser: options.endUser ?? null,
    body: converseBody(options.bytes ?? 400, options.maxTokens ?? 100),
  } as BedrockCall;
}

/** The step's refusal as the client receives it. */
async function admit(step: CallStep, call: BedrockCall): Promise<Response | undefined> {
  const refusal = await step.admit!(call);
  return refusal && renderRefusal(refusal);
}

/** Admission, then the reservation once the body is read, as the pipeline runs them. */
async function admitAndReserve(step: CallStep, call: BedrockCall): Promise<Response | undefined> {
  const refusal = (await step.admit!(call)) ?? (await step.reserve!(call));
  return refusal && renderRefusal(refusal);
}

const ended = (tokens: number): CallOutcome => ({
  status: 200,
  endedAt: Date.now(),
  usage: { inputTokens: tokens, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, source: "converse-body", complete: true },
});

describe("limits step", () => {
  it("refuses over a key's rpm_limit with a 429 ThrottlingException naming the key and the limit", async () => {
    const step = limitsStep({ limiter: localLimiter() });
    const key = { keyAlias: "ci", rpmLimit: 2 };
    expect(await admit(step, makeCall({ key }))).toBeUndefined();
    expect(await admit(step, makeCall({ key }))).toBeUndefined();
    const refused = (await admit(step, makeCall({ key }))) as Response;
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()).message).toMatch(/key "ci": rpm_limit 2 requests per minute/);
  });

  it("reserves an estimate for tokens (input from the body, output from maxTokens) and settles it with the real usage", async () => {
    const limiter = localLimiter();
    const step = limitsStep({ limiter });
    const key = { keyAlias: "tok", tpmLimit: 1000 };
    const call = makeCall({ key, bytes: 400, maxTokens: 100 });
    expect(await admitAndReserve(step, call)).toBeUndefined();
    expect(await limiter.peek("key:hash-tok:tpm", 60_000)).toBe(400 / 2 + 100);
    step.record!(call, ended(950));
    await step.flush();
    expect(await limiter.peek("key:hash-tok:tpm", 60_000)).toBe(950);
    // Below the limit: admitted; then at or over it: refused.
    const second = makeCall({ key, bytes: 40, maxTokens: 10 });
    expect(await admitAndReserve(step, second)).toBeUndefined();
    step.record!(second, ended(100));
    await step.flush();
    const refused = (await admitAndReserve(step, makeCall({ key }))) as Response;
    expect((await refused.json()).message).toMatch(/tpm_limit 1000 tokens per minute/);
  });

  it("50 parallel 2,000-token calls on tpm_limit 5,000: the limit plus one call's reservation at most (all 50 passed before)", async () => {
    const limiter = localLimiter();
    const step = limitsStep({ limiter });
    const key = { keyAlias: "burst", tpmLimit: 5_000 };
    const calls = Array.from({ length: 50 }, () => makeCall({ key, bytes: 2_000, maxTokens: 1_000 }));
    const answers = await Promise.all(calls.map((call) => admitAndReserve(step, call)));
    const admitted = calls.filter((_, i) => answers[i] === undefined);
    for (const call of admitted) step.record!(call, ended(2_000));
    await step.flush();
    expect(admitted.length).toBe(3); // 0, 2,000 and 4,000 reserved tokens are below 5,000; 6,000 is not
    expect(await limiter.peek("key:hash-burst:tpm", 60_000)).toBeLessThanOrEqual(5_000 + 2_000);
  });

  it("releases the reservation of a call that ended without usage", async () => {
    const limiter = localLimiter();
    const step = limitsStep({ limiter });
    const call = makeCall({ key: { keyAlias: "rel", tpmLimit: 10_000 }, bytes: 4000 });
    await admitAndReserve(step, call);
    step.record!(call, { status: 502, endedAt: Date.now(), usage: null });
    await step.flush();
    expect(await limiter.peek("key:hash-rel:tpm", 60_000)).toBe(0);
  });

  it("counts users, teams and end users from their stored limits, and keeps the last known ones when the store fails", async () => {
    let failing = false;
    // As the gateway wires it: through the entity cache it shares with budgets (here asking the store every time).
    const entities = cachedBudgetEntities(
      async (kind, id) => {
        if (failing) throw new Error("store down");
        return kind === "team" && id === "t1" ? { rpmLimit: 1, tpmLimit: null } : kind === "end_user" ? { rpmLimit: 2, tpmLimit: null } : null;
      },
      { ttlMs: 0 },
    );
    const step = limitsStep({ limiter: localLimiter(), entityLimits: entities.get });
    expect(await admit(step, makeCall({ key: { keyAlias: "a", teamId: "t1" } }))).toBeUndefined();
    failing = true;
    const refused = (await admit(step, makeCall({ key: { keyAlias: "b", teamId: "t1" } }))) as Response;
    expect((await refused.json()).message).toMatch(/team "t1": rpm_limit 1/);
    failing = false;
    expect(await admit(step, makeCall({ key: null, endUser: "alice" }))).toBeUndefined();
    expect(await admit(step, makeCall({ key: null, endUser: "alice" }))).toBeUndefined();
    expect(((await admit(step, makeCall({ key: null, endUser: "alice" }))) as Response).status).toBe(429);
  });

  it("applies gateway-wide model limits per model and region, most specific entry first", async () => {
    const limits = parseModelLimits(JSON.stringify({ [HAIKU]: { rpm: 2 }, [`${HAIKU}@eu-west-1`]: { rpm: 1 }, "*": { rpm: 100 } }));
    expect(modelLimitsFor(limits, HAIKU, "eu-west-1")).toEqual({ rpm: 1 });
    expect(modelLimitsFor(limits, "amazon.nova-lite-v1:0", "us-east-1")).toEqual({ rpm: 100 });
    const step = limitsStep({ limiter: localLimiter(), modelLimits: limits });
    const master = { key: null };
    expect(await admit(step, makeCall({ ...master, region: "eu-west-1" }))).toBeUndefined();
    const refused = (await admit(step, makeCall({ ...master, region: "eu-west-1" }))) as Response;
    expect((await refused.json()).message).toMatch(/model anthropic\.claude-3-haiku-20240307-v1:0 in eu-west-1 \(gateway-wide\): rpm_limit 1/);
    // Another region has its own quota.
    expect(await admit(step, makeCall({ ...master, region: "us-east-1" }))).toBeUndefined();
    expect(await admit(step, makeCall({ ...master, region: "us-east-1" }))).toBeUndefined();
    expect(((await admit(step, makeCall({ ...master, region: "us-east-1" }))) as Response).status).toBe(429);
  });

  it("rejects a malformed GATEWAY_MODEL_LIMITS with a clear message", () => {
    expect(() => parseModelLimits("{nope")).toThrow(ModelLimitsError);
    expect(() => parseModelLimits('{"m": {"rpn": 1}}')).toThrow(/unknown field "rpn"/);
    expect(() => parseModelLimits('{"m": {"rpm": -1}}')).toThrow(/non-negative integer/);
    expect(() => parseModelLimits("/does/not/exist.json")).toThrow(/cannot read/);
    expect(parseModelLimits(null)).toEqual({});
  });
});
