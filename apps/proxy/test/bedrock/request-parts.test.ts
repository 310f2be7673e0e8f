import { describe, expect, it } from "vitest";
import { extractKey } from "../../src/auth/extract-key.ts";
import { parseRawTarget } from "../../src/bedrock/raw-path.ts";
import { isRegion } from "@bedrock-gateway/protocol";
import { upstreamOrigin } from "../../src/bedrock/region.ts";
import { memoizeCredentials } from "../../src/runtime/credentials.ts";
import { ConfigError, readConfig } from "../../src/config.ts";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { createRouteTable } from "../../src/bedrock/route-table.ts";
import { createSigner } from "../../src/bedrock/sign.ts";
import type { BedrockCall } from "../../src/pipeline/context.ts";
import { createSign, type SignedCall } from "../../src/pipeline/sign.ts";

describe("parseRawTarget keeps the path as the client encoded it", () => {
  it.each([
    ["http://h:1/bedrock/model/cohere.command-r-v1%3A0/converse", "/model/cohere.command-r-v1%3A0/converse", ""],
    ["http://h:1/bedrock/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/converse?x=a+b", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/converse", "x=a+b"],
    ["http://h:1/bedrock/sessions/", "/sessions/", ""],
  ])("%s", (url, path, query) => {
    expect(parseRawTarget(url, "/bedrock")).toEqual({ ok: true, target: { path, query, segments: path.slice(1).split("/") } });
  });

  it.each(["http://h/bedrock/model/../x", "http://h/bedrock/model/%2e%2E/x", "http://h/bedrock/model//converse", "http://h/bedrock/model/%zz/converse", "http://h/bedrock/model/a%5Cb/x", "http://h/other/model"])(
    "refuses %s",
    (url) => expect(parseRawTarget(url, "/bedrock").ok).toBe(false),
  );
});

describe("extractKey", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it("reads every header clients use, with or without Bearer", () => {
    expect(extractKey(h({ authorization: "Bearer sk-1" }))).toBe("sk-1");
    expect(extractKey(h({ litellm_user_api_key: "Bearer sk-2" }))).toBe("sk-2");
    expect(extractKey(h({ litellm_user_api_key: "sk-3" }))).toBe("sk-3");
    expect(extractKey(h({ "x-litellm-api-key": "sk-4" }))).toBe("sk-4");
    expect(extractKey(h({ "x-api-key": "sk-5" }))).toBe("sk-5");
    expect(extractKey(h({}))).toBeNull();
  });
  it("a client SigV4 Authorization is not a key; a key header beside it wins", () => {
    const sigv4 = "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00";
    expect(extractKey(h({ authorization: sigv4 }))).toBeNull();
    expect(extractKey(h({ authorization: sigv4, "x-api-key": "sk-6" }))).toBe("sk-6");
  });
});

describe("isRegion", () => {
  it.each(["us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "ca-west-1"])("accepts %s", (r) => expect(isRegion(r)).toBe(true));
  it.each(["", "us-east-1.evil.com", "evil.com/", "US-EAST-1", "us-east", "../us-east-1", "us-east-1 "])("refuses %j", (r) => expect(isRegion(r)).toBe(false));
});

describe("readConfig", () => {
  it("open mode binds loopback; a master key binds everywhere; LITELLM_MASTER_KEY works too", () => {
    expect(readConfig({})).toMatchObject({ masterKey: null, hostname: "127.0.0.1", port: 4000, region: "us-east-1" });
    expect(readConfig({ MASTER_KEY: "sk-m" })).toMatchObject({ masterKey: "sk-m", hostname: "0.0.0.0" });
    expect(readConfig({ LITELLM_MASTER_KEY: "sk-l" }).masterKey).toBe("sk-l");
  });
  it("region and endpoint precedence", () => {
    expect(readConfig({ AWS_REGION_NAME: "eu-west-1" }).region).toBe("eu-west-1");
    expect(readConfig({ AWS_REGION: "us-west-2", AWS_REGION_NAME: "eu-west-1" }).region).toBe("us-west-2");
    expect(readConfig({ AWS_ENDPOINT_URL: "http://a/", AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://b" }).endpoints).toEqual({ runtime: "http://b", agentRuntime: "http://a", bedrock: "http://a", bedrockAgent: "http://a" });
    expect(readConfig({ AWS_ENDPOINT_URL: "http://a/", AWS_ENDPOINT_URL_BEDROCK: "http://c" }).endpoints.bedrock).toBe("http://c");
    expect(readConfig({ AWS_ENDPOINT_URL_BEDROCK: "http://c", AWS_ENDPOINT_URL_BEDROCK_AGENT: "http://d" }).endpoints).toMatchObject({ runtime: null, bedrock: "http://c", bedrockAgent: "http://d" });
  });
  it("refuses bad values at start", () => {
    expect(() => readConfig({ PORT: "http" })).toThrow(ConfigError);
    expect(() => readConfig({ AWS_ENDPOINT_URL: "ftp://x" })).toThrow(ConfigError);
  });
  it("a size or a duration that is not a number is a start-up error naming the variable and the form it takes", () => {
    expect(() => readConfig({ MAX_REQUEST_BODY_MB: "abc" })).toThrow(/^MAX_REQUEST_BODY_MB must be a number of megabytes greater than 0, e\.g\. 128, got abc$/);
    expect(() => readConfig({ MAX_REQUEST_BODY_MB: "0" })).toThrow(ConfigError);
    expect(() => readConfig({ UPSTREAM_TIMEOUT_MS: "5m" })).toThrow(/^UPSTREAM_TIMEOUT_MS must be a number of milliseconds/);
    expect(() => readConfig({ KEY_CACHE_TTL_MS: "-1" })).toThrow(/^KEY_CACHE_TTL_MS must be an integer from 0 to/);
    expect(() => readConfig({ SPEND_BATCH_SIZE: "lots" })).toThrow(/^SPEND_BATCH_SIZE must be an integer from 1 to 1000, got lots$/);
    expect(() => readConfig({ STORE_REQUEST_BODIES: "yes" })).toThrow(/^STORE_REQUEST_BODIES must be true or false, got yes$/);
    expect(() => readConfig({ BODY_MIN_BYTES_PER_SEC: "-1" })).toThrow(/^BODY_MIN_BYTES_PER_SEC must be an integer from 0 to 1000000000, got -1$/);
    expect(() => readConfig({ BODY_MIN_BYTES_PER_SEC: "1.5k" })).toThrow(ConfigError);
    expect(() => readConfig({ BODY_MIN_RATE_WINDOW_MS: "50" })).toThrow(/^BODY_MIN_RATE_WINDOW_MS must be an integer from 100 to 3600000, got 50$/);
  });
  it("the body rate floor: 500 bytes/s over 10 s windows unless set; 0 turns it off", () => {
    expect(readConfig({})).toMatchObject({ bodyReadTimeoutMs: 120_000, bodyMinBytesPerSec: 500, bodyMinRateWindowMs: 10_000 });
    expect(readConfig({ BODY_MIN_BYTES_PER_SEC: "0", BODY_MIN_RATE_WINDOW_MS: "2000" })).toMatchObject({ bodyMinBytesPerSec: 0, bodyMinRateWindowMs: 2_000 });
  });
  it("Deno's HTTP/2 front is on unless DENO_HTTP2_FRONT=false", () => {
    expect(readConfig({}).denoHttp2Front).toBe(true);
    expect(readConfig({ DENO_HTTP2_FRONT: "false" }).denoHttp2Front).toBe(false);
    expect(readConfig({ DENO_HTTP2_FRONT: "true" }).denoHttp2Front).toBe(true);
    expect(() => readConfig({ DENO_HTTP2_FRONT: "off" })).toThrow(/^DENO_HTTP2_FRONT must be true or false, got off$/);
  });

  it("tunables: body limit, upstream timeout, cache TTLs, spend batching", () => {
    expect(readConfig({})).toMatchObject({ maxRequestBodyBytes: 128 * 1024 * 1024, upstreamTimeoutMs: 300_000, cacheTtlMs: 5_000, staleIfErrorMs: 600_000 });
    expect(readConfig({ MAX_REQUEST_BODY_MB: "0.5", UPSTREAM_TIMEOUT_MS: "2000", KEY_CACHE_TTL_MS: "0", SPEND_BATCH_SIZE: "10" })).toMatchObject({
      maxRequestBodyBytes: 512 * 1024,
      upstreamTimeoutMs: 2_000,
      cacheTtlMs: 0,
      spend: { batchSize: 10, flushIntervalMs: 250, storeBodies: false },
    });
  });
});

describe("memoizeCredentials", () => {
  it("resolves once, and again shortly before the credentials expire", async () => {
    let calls = 0;
    let expiresIn = 60 * 60_000;
    const provider = memoizeCredentials(async () => ({ accessKeyId: `AK${++calls}`, secretAccessKey: "s", expiration: new Date(Date.now() + expiresIn) }));
    expect((await provider()).accessKeyId).toBe("AK1");
    expect((await provider()).accessKeyId).toBe("AK1");
    expiresIn = 60_000; // the next set expires within the refresh margin
    expect(calls).toBe(1);
    const fresh = memoizeCredentials(async () => ({ accessKeyId: `AK${++calls}`, secretAccessKey: "s", expiration: new Date(Date.now() + expiresIn) }));
    expect((await fresh()).accessKeyId).toBe("AK2");
    expect((await fresh()).accessKeyId).toBe("AK3");
  });
  it("concurrent callers share one resolution", async () => {
    let calls = 0;
    const provider = memoizeCredentials(async () => ({ accessKeyId: `AK${++calls}`, secretAccessKey: "s" }));
    const all = await Promise.all([provider(), provider(), provider()]);
    expect(all.map((c) => c.accessKeyId)).toEqual(["AK1", "AK1", "AK1"]);
    expect(calls).toBe(1);
  });

  it("a failed resolution is retried on the next call", async () => {
    let calls = 0;
    const provider = memoizeCredentials(async () => {
      if (++calls === 1) throw new Error("no credentials yet");
      return { accessKeyId: "AK", secretAccessKey: "s" };
    });
    await expect(provider()).rejects.toThrow("no credentials yet");
    expect((await provider()).accessKeyId).toBe("AK");
  });
});

describe("upstreamOrigin", () => {
  const config = { endpoints: { runtime: null, agentRuntime: null }, failover: { endpoints: {} } } as unknown as Parameters<typeof upstreamOrigin>[0];
  it.each([
    ["bedrock-runtime", "us-east-1", "https://bedrock-runtime.us-east-1.amazonaws.com"],
    ["bedrock-runtime", "cn-north-1", "https://bedrock-runtime.cn-north-1.amazonaws.com.cn"],
    ["bedrock-agent-runtime", "cn-northwest-1", "https://bedrock-agent-runtime.cn-northwest-1.amazonaws.com.cn"],
    ["bedrock-runtime", "us-gov-west-1", "https://bedrock-runtime.us-gov-west-1.amazonaws.com"],
  ] as const)("%s in %s is %s (each partition its own domain)", (service, region, origin) => {
    expect(upstreamOrigin(config, service, region)).toBe(origin);
  });
});

describe("the control plane's upstream", () => {
  const routes = createRouteTable(bedrockRoutes);
  const signer = createSigner(async () => ({ accessKeyId: "AKIAGATEWAY000000001", secretAccessKey: "gateway-secret" }));
  /** Where the sign step sends a call to `path` in `region`, and the scope it signs it for. */
  const signedFor = async (env: Record<string, string>, method: string, path: string, region: string) => {
    const parsed = parseRawTarget("http://localhost/bedrock" + path, "/bedrock");
    if (!parsed.ok) throw new Error(parsed.reason);
    const call = { request: new Request("http://localhost/bedrock" + path, { method }), target: parsed.target, route: routes.resolve(method, parsed.target.segments)!, region, body: null } as unknown as BedrockCall;
    const signed = (await createSign({ config: readConfig(env), signer })(call)) as SignedCall;
    return { href: signed.href, scope: /Credential=[^/]+\/\d{8}\/([^,]+)\/aws4_request/.exec(signed.headers.authorization!)![1] };
  };
  const failover = JSON.stringify({ endpoints: { "eu-west-1": "https://vpce-0123-runtime.bedrock-runtime.eu-west-1.vpce.amazonaws.com", "us-east-1": "http://127.0.0.9:8080" } });

  it("is bedrock.{region}.amazonaws.com by default, signed for service bedrock in the call's region", async () => {
    expect(await signedFor({}, "GET", "/foundation-models", "eu-west-1")).toEqual({ href: "https://bedrock.eu-west-1.amazonaws.com/foundation-models", scope: "eu-west-1/bedrock" });
    expect(await signedFor({}, "GET", "/inference-profiles?typeEquals=SYSTEM_DEFINED", "cn-north-1")).toEqual({ href: "https://bedrock.cn-north-1.amazonaws.com.cn/inference-profiles?typeEquals=SYSTEM_DEFINED", scope: "cn-north-1/bedrock" });
  });

  it("keeps that host when GATEWAY_FAILOVER names per-region endpoints: those are the runtimes'", async () => {
    expect((await signedFor({ GATEWAY_FAILOVER: failover }, "GET", "/foundation-models", "eu-west-1")).href).toBe("https://bedrock.eu-west-1.amazonaws.com/foundation-models");
    expect((await signedFor({ GATEWAY_FAILOVER: failover }, "GET", "/model-invocation-jobs", "us-east-1")).href).toBe("https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs");
    // ...which do apply to the runtime (and the agent runtime) of the same regions.
    expect((await signedFor({ GATEWAY_FAILOVER: failover }, "POST", "/model/m/converse", "eu-west-1")).href).toBe("https://vpce-0123-runtime.bedrock-runtime.eu-west-1.vpce.amazonaws.com/model/m/converse");
    expect((await signedFor({ GATEWAY_FAILOVER: failover }, "POST", "/anthropic/v1/messages", "us-east-1")).href).toBe("http://127.0.0.9:8080/anthropic/v1/messages");
  });

  it("follows AWS_ENDPOINT_URL_BEDROCK (else AWS_ENDPOINT_URL), never the runtime's override", async () => {
    expect((await signedFor({ GATEWAY_FAILOVER: failover, AWS_ENDPOINT_URL_BEDROCK: "https://bedrock.{region}.example" }, "GET", "/foundation-models", "eu-west-1")).href).toBe("https://bedrock.eu-west-1.example/foundation-models");
    expect((await signedFor({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://runtime.local" }, "GET", "/foundation-models", "us-west-2")).href).toBe("https://bedrock.us-west-2.amazonaws.com/foundation-models");
  });
});
