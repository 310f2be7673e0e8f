import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { createAuthenticator } from "../../src/auth/authenticator.ts";
import { createRouteTable } from "../../src/bedrock/route-table.ts";
import { createSigner } from "../../src/bedrock/sign.ts";
import { ConfigError, readConfig } from "../../src/config.ts";
import { createBreakers } from "../../src/failover/breakers.ts";
import { backoffMs, retryReason } from "../../src/failover/retryable.ts";
import { failoverTargets } from "../../src/failover/plan.ts";
import { limitsStep } from "../../src/limits/limits-step.ts";
import { localLimiter } from "../../src/limits/local-limiter.ts";
import { createBedrockPipeline } from "../../src/pipeline/bedrock-call.ts";
import type { BedrockCall, CallOutcome } from "../../src/pipeline/context.ts";
import { refuse } from "../../src/pipeline/refusal.ts";
import type { CallStep } from "../../src/pipeline/step.ts";

describe("GATEWAY_FAILOVER", () => {
  const failover = (value: unknown) => readConfig({ GATEWAY_FAILOVER: typeof value === "string" ? value : JSON.stringify(value) }).failover;

  it("reads routes of regions and {region, model} targets, per-region endpoints and caps", () => {
    const config = failover({
      routes: [{ model: "anthropic.*", regions: ["us-east-1", { region: "us-west-2", model: "us.anthropic.claude-3-haiku-20240307-v1:0" }, { model: "global.anthropic.x" }] }],
      endpoints: { "us-east-1": "http://127.0.0.1:9/" },
      max_attempts: 2,
      breaker_cooldown_ms: 100,
    });
    expect(config.routes[0]!.targets).toEqual([
      { region: "us-east-1", model: null },
      { region: "us-west-2", model: "us.anthropic.claude-3-haiku-20240307-v1:0" },
      { region: null, model: "global.anthropic.x" },
    ]);
    expect(config.routes[0]!.pattern.test("anthropic.claude-v2")).toBe(true);
    expect(config.endpoints).toEqual({ "us-east-1": "http://127.0.0.1:9" });
    expect([config.maxAttempts, config.maxTotalMs, config.breakerFailures, config.breakerCooldownMs]).toEqual([2, 10_000, 5, 100]);
    expect(readConfig({}).failover.routes).toEqual([]);
  });

  it.each([
    ["{nope", /GATEWAY_FAILOVER is not valid JSON/],
    ["/does/not/exist.json", /GATEWAY_FAILOVER: cannot read/],
    [{ route: [] }, /GATEWAY_FAILOVER: unknown field "route"/],
    [{ routes: [{ model: "a.*", regions: ["mars"] }] }, /GATEWAY_FAILOVER.routes\[0\].regions\[0\] is not an AWS region/],
    [{ routes: [{ model: "a.*", regions: [] }] }, /GATEWAY_FAILOVER.routes\[0\].regions must be a non-empty list/],
    [{ routes: [{ regions: ["us-east-1"] }] }, /GATEWAY_FAILOVER.routes\[0\].model/],
    [{ routes: [{ model: "a", regions: [{ model: "b.*" }] }] }, /no wildcards/],
    [{ endpoints: { "us-east-1": "ftp://x" } }, /GATEWAY_FAILOVER.endpoints\["us-east-1"\] must be an http\(s\) URL/],
    [{ max_attempts: 0 }, /GATEWAY_FAILOVER.max_attempts must be an integer from 1 to 10/],
    [{ breaker_failures: 1.5 }, /GATEWAY_FAILOVER.breaker_failures/],
  ])("refuses %j at start, naming the variable", (value, message) => {
    expect(() => failover(value)).toThrow(ConfigError);
    expect(() => failover(value)).toThrow(message);
  });

  it("fills {region} in AWS_ENDPOINT_URL_* for each call's region", async () => {
    const { upstreamOrigin } = await import("../../src/bedrock/region.ts");
    const config = readConfig({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "https://bedrock-runtime.{region}.vpce.example", GATEWAY_FAILOVER: '{"endpoints": {"eu-west-1": "http://127.0.0.1:1"}}' });
    expect(upstreamOrigin(config, "bedrock-runtime", "us-west-2")).toBe("https://bedrock-runtime.us-west-2.vpce.example");
    expect(upstreamOrigin(config, "bedrock-runtime", "eu-west-1")).toBe("http://127.0.0.1:1");
    expect(upstreamOrigin(config, "bedrock-agent-runtime", "us-west-2")).toBe("https://bedrock-agent-runtime.us-west-2.amazonaws.com");
  });
});

describe("where a call may go", () => {
  const route = readConfig({
    GATEWAY_FAILOVER: JSON.stringify({
      routes: [{ model: "*", regions: ["us-east-1", "us-west-2", { region: "eu-west-1", model: "eu.m" }, { model: "global.m" }, "eu-west-1"] }],
    }),
  }).failover.routes[0]!;
  const targets = (call: { region: string; modelId: string; allowedRegions?: string[] }) => failoverTargets(call as unknown as BedrockCall, route);

  it("its own region first, then the route's targets, each once", () => {
    expect(targets({ region: "us-west-2", modelId: "m" })).toEqual([
      { region: "us-west-2", model: null },
      { region: "us-east-1", model: null },
      { region: "eu-west-1", model: "eu.m" },
      { region: "us-west-2", model: "global.m" },
      { region: "eu-west-1", model: null },
    ]);
  });

  it("inside allowed_regions only, and no global profile for a region-bound key", () => {
    expect(targets({ region: "eu-west-1", modelId: "m", allowedRegions: ["eu-west-1"] })).toEqual([
      { region: "eu-west-1", model: null },
      { region: "eu-west-1", model: "eu.m" },
    ]);
  });

  it("an application profile ARN stays in its region, though the client's own call goes as sent", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc";
    expect(targets({ region: "us-east-1", modelId: arn }).filter((t) => t.model === null)).toEqual([{ region: "us-east-1", model: null }]);
    expect(targets({ region: "us-west-2", modelId: arn })[0]).toEqual({ region: "us-west-2", model: null });
  });
});

describe("circuit breakers", () => {
  it("open after N consecutive failures, let exactly one probe through after the cool-down, close on its success", () => {
    const breakers = createBreakers({ failures: 2, cooldownMs: 1000 });
    breakers.failure("us-east-1", "m", 0);
    expect(breakers.enter("us-east-1", "m", 1)).toBe("closed");
    breakers.success("us-east-1", "m");
    breakers.failure("us-east-1", "m", 2);
    expect(breakers.enter("us-east-1", "m", 3)).toBe("closed");
    breakers.failure("us-east-1", "m", 10);
    expect(breakers.enter("us-east-1", "m", 11)).toBe("open");
    expect(breakers.enter("us-east-1", "other-model", 11)).toBe("closed");
    expect(breakers.reopensInMs("us-east-1", "m", 500)).toBe(510);
    expect(breakers.openByRegion(500)).toEqual(new Map([["us-east-1", 1]]));
    expect(breakers.enter("us-east-1", "m", 1010)).toBe("probe");
    expect(breakers.enter("us-east-1", "m", 1011)).toBe("open");
    breakers.success("us-east-1", "m");
    expect(breakers.enter("us-east-1", "m", 1012)).toBe("closed");
    expect(breakers.openByRegion(1012).size).toBe(0);
  });

  it("a failed probe opens the breaker for another cool-down; a probe without a verdict lets the next one go", () => {
    const breakers = createBreakers({ failures: 1, cooldownMs: 100 });
    breakers.failure("eu-west-1", "m", 0);
    expect(breakers.enter("eu-west-1", "m", 100)).toBe("probe");
    breakers.failure("eu-west-1", "m", 100);
    expect(breakers.enter("eu-west-1", "m", 150)).toBe("open");
    expect(breakers.enter("eu-west-1", "m", 200)).toBe("probe");
    breakers.release("eu-west-1", "m");
    expect(breakers.enter("eu-west-1", "m", 201)).toBe("probe");
  });
});

describe("what is retried elsewhere", () => {
  const answer = (status: number, type?: string) => ({ upstream: new Response("{}", { status, headers: type ? { "x-amzn-errortype": type } : {} }), abort: new AbortController(), release: () => {} });

  it("throttles, unavailability, a model not ready, 5xx and no connection; not client errors, success or a timeout", () => {
    expect(retryReason(answer(429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"))).toBe("ThrottlingException");
    expect(retryReason(answer(503, "ServiceUnavailableException"))).toBe("ServiceUnavailableException");
    expect(retryReason(answer(429, "ModelNotReadyException"))).toBe("ModelNotReadyException");
    expect(retryReason(answer(502))).toBe("HTTP 502");
    expect(retryReason(refuse.badGateway("connect ECONNREFUSED"))).toBe("connection: connect ECONNREFUSED");
    expect(retryReason(answer(200))).toBeNull();
    expect(retryReason(answer(400, "ValidationException"))).toBeNull();
    expect(retryReason(answer(403, "AccessDeniedException"))).toBeNull();
    expect(retryReason(refuse.gatewayTimeout("no answer"))).toBeNull();
  });

  it("backs off with full jitter under the cap", () => {
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(1, 10, 1000)).toBeLessThanOrEqual(10);
      expect(backoffMs(8, 10, 1000)).toBeLessThanOrEqual(1000);
    }
  });
});

describe("the failover loop in the pipeline", () => {
  const emulators: RunningEmulator[] = [];
  const regions = ["us-east-1", "us-west-2", "eu-west-1"];
  beforeAll(async () => {
    for (const region of regions) emulators.push(await startEmulator({ port: 0, regions: [region] }));
  });
  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
  });
  beforeEach(() => emulators.forEach((e) => e.reset()));

  const pipeline = (settings: Record<string, unknown>, record: (call: BedrockCall, outcome: CallOutcome) => void = () => {}, modelLimits?: string) => {
    const config = readConfig({
      GATEWAY_FAILOVER: JSON.stringify({ routes: [{ model: "m*", regions }], endpoints: Object.fromEntries(regions.map((r, i) => [r, emulators[i]!.url])), backoff_base_ms: 1, ...settings }),
      GATEWAY_MODEL_LIMITS: modelLimits,
    });
    const recorder: CallStep = { name: "recorder", record };
    const limits = limitsStep({ limiter: localLimiter(), modelLimits: config.modelLimits });
    return createBedrockPipeline({
      config,
      routes: createRouteTable(bedrockRoutes),
      signer: createSigner(async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY })),
      authenticate: createAuthenticator({ masterKey: null }),
      steps: { admit: [limits], record: [limits, recorder] },
      failover: { breakers: createBreakers({ failures: config.failover.breakerFailures, cooldownMs: config.failover.breakerCooldownMs }), enterRegion: limits.enterRegion },
    });
  };
  const call = (model = "m1", headers: Record<string, string> = {}) =>
    new Request(`http://localhost/bedrock/model/${model}/converse`, { method: "POST", headers, body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }] }) });
  const throttleEverywhere = () => emulators.forEach((e) => e.faults.set([{ error: "ThrottlingException" }]));

  it("stops at max_attempts and relays the last failure as Bedrock sent it", async () => {
    throttleEverywhere();
    const attempts: unknown[] = [];
    const response = await pipeline({ max_attempts: 2 }, (c) => attempts.push(c.attempts))(call());
    expect(response.status).toBe(429);
    expect(response.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    expect(response.headers.get("x-gateway-region")).toBe("us-west-2");
    expect(emulators.map((e) => e.requests.length)).toEqual([1, 1, 0]);
    await new Promise((r) => setTimeout(r, 20));
    expect(attempts).toEqual([[expect.objectContaining({ region: "us-east-1", status: 429 }), expect.objectContaining({ region: "us-west-2", status: 429 })]]);
  });

  it("starts no attempt after max_total_ms", async () => {
    throttleEverywhere();
    const response = await pipeline({ max_total_ms: 0 })(call());
    expect(response.status).toBe(429);
    expect(emulators.map((e) => e.requests.length)).toEqual([1, 0, 0]);
  });

  it("the client's region comes first; a call naming no failover model goes once", async () => {
    const served = await pipeline({})(call("m2", { "x-bedrock-region": "eu-west-1" }));
    expect(served.headers.get("x-gateway-region")).toBe("eu-west-1");
    emulators[0]!.faults.set([{ error: "ThrottlingException" }]);
    const once = await pipeline({})(call("other"));
    expect(once.status).toBe(429);
    expect(emulators.map((e) => e.requests.length)).toEqual([1, 0, 1]);
  });

  it("a region at its gateway-wide model limit (GATEWAY_MODEL_LIMITS) is skipped; a call that fails over counts where it went", async () => {
    emulators[0]!.faults.set([{ error: "ThrottlingException" }]);
    const attempts: unknown[] = [];
    const send = pipeline({}, (c) => attempts.push(c.attempts), JSON.stringify({ "m5@us-west-2": { rpm: 1 } }));
    expect((await send(call("m5"))).headers.get("x-gateway-region")).toBe("us-west-2");
    const second = await send(call("m5"));
    expect(second.headers.get("x-gateway-region")).toBe("eu-west-1");
    expect(emulators.map((e) => e.requests.length)).toEqual([2, 1, 1]);
    await new Promise((r) => setTimeout(r, 20));
    expect(attempts[1]).toEqual([
      expect.objectContaining({ region: "us-east-1", status: 429 }),
      { region: "us-west-2", status: null, error: "gateway limit", ms: 0 },
      expect.objectContaining({ region: "eu-west-1", status: 200 }),
    ]);
  });

  it("with every region's breaker open the gateway answers 503 with retry-after, without calling Bedrock", async () => {
    throttleEverywhere();
    const send = pipeline({ breaker_failures: 1, breaker_cooldown_ms: 60_000 });
    expect((await send(call("m3"))).status).toBe(429);
    expect(emulators.map((e) => e.requests.length)).toEqual([1, 1, 1]);
    const refused = await send(call("m3"));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("x-amzn-errortype")).toBe("ServiceUnavailableException");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(emulators.map((e) => e.requests.length)).toEqual([1, 1, 1]);
  });
});
