import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_ACCESS_KEY_ID } from "@bedrock-gateway/bedrock-emulator";
import { startStack, type Stack } from "../support/fixture.ts";

/**
 * The gateway's core invariant, as a property over generated paths, headers and bodies, sent byte for byte over a
 * raw socket (no client library normalises anything): a request reaches upstream (the emulator records everything
 * it receives, before verifying it) only when authorised, only at the configured Bedrock host, never carrying a
 * client credential, and never for a model the key may not use.
 */
const MASTER = "sk-master-invariant";
const NOVA = "amazon.nova-lite-v1:0";

interface Keys {
  nova: string; // models: [NOVA]
  anthropic: string; // models: ["anthropic.*"], allowed_routes: ["agents", "Converse"]
  open: string; // no lists
  blocked: string;
}

interface Sent {
  method: string;
  path: string; // after /bedrock, raw
  headers: [string, string][];
  body: Uint8Array;
}

function rawRequest(port: number, sent: Sent): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (c) => {
      chunks.push(c);
      // The status is all this needs; the server may keep the socket a few seconds after a refusal (Deno, a body
      // refused unread: runtime/deno-close-after-refusal.ts).
      if (Buffer.concat(chunks).includes("\r\n")) socket.destroy();
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString("latin1"));
      resolve(status ? Number(status[1]) : 0);
    });
    socket.on("error", () => {});
    const head = [`${sent.method} /bedrock${sent.path} HTTP/1.1`, ...sent.headers.map(([k, v]) => `${k}: ${v}`), `content-length: ${sent.body.byteLength}`, "connection: close", "", ""].join("\r\n");
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(sent.body)]));
  });
}

const labelValues = [
  NOVA, "amazon.nova-lite-v1%3A0", "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-v2", "anthropic.x%2F..%2Famazon.nova-lite-v1:0",
  "..%2Fanthropic.claude-v2", "amazon.nova-lite-v1%253A0", "%2e%2e", "anthropic.%2A", "*", "anthropic.x%5Cy",
  "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.nova-lite-v1%3A0",
  "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-v2",
  "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.x%2F..%2Famazon.nova-lite-v1%3A0",
  "A1", "KB12345678", "gr1", "1", "s-1", "%00", "x y",
];
const templates = [
  ["POST", "/model/{}/converse"], ["POST", "/model/{}/converse-stream"], ["POST", "/model/{}/invoke"], ["POST", "/model/{}/count-tokens"],
  ["POST", "/model/{}/invoke-with-response-stream"], ["POST", "/model/{}/{}/converse"], ["GET", "/model/{}/converse"],
  ["POST", "/agents/{}/agentAliases/{}/sessions/{}/text"], ["POST", "/knowledgebases/{}/retrieve"], ["POST", "/guardrail/{}/version/{}/apply"],
  ["POST", "/async-invoke"], ["GET", "/async-invoke"], ["POST", "/flows/{}/aliases/{}"], ["PUT", "/sessions/"], ["POST", "/rerank"],
  ["POST", "/retrieveAndGenerate"], ["GET", "/tags/{}"], ["POST", "/model/{}/converse/../../agents/A1/agentAliases/B/sessions/S/text"],
  ["POST", "/model/{}/%2E%2E/converse"], ["POST", "/foundation-models"], ["POST", "/model/{}"],
] as const;

const label = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...labelValues) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~:%*-]{1,16}$/) });
const pathArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...templates), fc.array(label, { minLength: 3, maxLength: 3 })).map(([[method, t], labels]) => ({ method, path: t.replace(/\{\}/g, () => labels.shift()!) })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"), fc.array(label, { minLength: 1, maxLength: 5 })).map(([method, segments]) => ({ method, path: "/" + segments.join("/") })) },
);
const queryArb = fc.constantFrom("", "?a=b", "?x=%2F..%2F", "?modelId=anthropic.claude-v2");

type Who = keyof Keys | "master" | "wrong" | "none" | "sigv4-fake" | "aws-key";
const whoArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Who>("nova", "anthropic", "open", "master") },
  { weight: 1, arbitrary: fc.constantFrom<Who>("blocked", "wrong", "none", "sigv4-fake", "aws-key") },
);
const carrierArb = fc.constantFrom("authorization", "x-api-key", "x-litellm-api-key", "litellm_user_api_key");
const extraHeadersArb = fc.subarray([
  ["x-bedrock-region", "cn-north-1"], ["x-bedrock-region", "us-west-2"], ["x-bedrock-region", "evil.example.com"], ["x-bedrock-region", "us-east-1.evil.com"],
  ["cookie", "session=sk-cookie-secret"], ["x-forwarded-host", "evil.example.com"], ["x-amz-security-token", "client-token"],
  ["x-amz-date", "20260101T000000Z"], ["accept", "application/json"], ["content-type", "application/json"], ["x-amzn-bedrock-trace", "ENABLED"],
] as [string, string][]);
const hostArb = fc.constantFrom<string | null>(null, "evil.example.com", "127.0.0.1:1", "bedrock-runtime.us-east-1.amazonaws.com");
const bodyArb = fc.oneof(
  fc.constant(new TextEncoder().encode(JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }], modelId: "anthropic.claude-v2" }))),
  fc.json().map((j) => new TextEncoder().encode(j)),
  fc.uint8Array({ maxLength: 200 }),
);

describe("the upstream invariant (fast-check over paths, headers and bodies)", () => {
  let stack: Stack;
  let keys: Keys;

  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER });
    const mint = async (body: unknown) => {
      const res = await fetch(stack.gateway.url + "/key/generate", { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      return ((await res.json()) as { key: string }).key;
    };
    keys = {
      nova: await mint({ models: [NOVA] }),
      anthropic: await mint({ models: ["anthropic.*"], allowed_routes: ["agents", "Converse"] }),
      open: await mint({}),
      blocked: await mint({}),
    };
    await fetch(stack.gateway.url + "/key/block", { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify({ key: keys.blocked }) });
  }, 30_000);
  afterAll(async () => stack?.stop());

  const credentialOf = (who: Who): string | null =>
    who === "master" ? MASTER : who === "wrong" ? "sk-wrong-0000" : who === "none" ? null : who === "sigv4-fake" || who === "aws-key" ? null : keys[who];

  const decodedModel = (rawPath: string): string | null => {
    const m = /^\/model\/([^/]+)\//.exec(rawPath);
    if (!m) return null;
    try {
      return decodeURIComponent(m[1]!);
    } catch {
      return null;
    }
  };
  const modelOfArn = (id: string) => /^arn:aws:bedrock:[^:/]*:[^:/]*:(?:foundation-model|inference-profile)\/([^/]+)$/.exec(id)?.[1] ?? id;

  it("holds for every generated request", async () => {
    const emulatorHost = new URL(stack.emulator.url).host;
    const secrets = [MASTER, keys.nova, keys.anthropic, keys.open, keys.blocked, "sk-wrong-0000", "sk-cookie-secret", "client-token", "BGWAAAAAAAAAAAAAAAAA", "AKIACLIENT0000000000"];
    let reached = 0;
    await fc.assert(
      fc.asyncProperty(pathArb, queryArb, whoArb, carrierArb, extraHeadersArb, hostArb, bodyArb, async ({ method, path }, query, who, carrier, extra, host, body) => {
        const headers: [string, string][] = [["host", host ?? `127.0.0.1:${stack.gateway.port}`], ...extra];
        const credential = credentialOf(who);
        if (credential) headers.push([carrier, carrier === "authorization" ? `Bearer ${credential}` : credential]);
        if (who === "sigv4-fake") headers.push(["authorization", `AWS4-HMAC-SHA256 Credential=BGWAAAAAAAAAAAAAAAAA/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`]);
        if (who === "aws-key") headers.push(["authorization", `AWS4-HMAC-SHA256 Credential=AKIACLIENT0000000000/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`]);
        const before = stack.emulator.requests.length;
        const status = await rawRequest(stack.gateway.port, { method, path: path + query, headers, body });
        const upstream = stack.emulator.requests.slice(before);
        if (upstream.length === 0) return;
        reached++;
        const detail = JSON.stringify({ method, path, query, who, carrier, extra, host, status, upstream: upstream.map((u) => [u.method, u.rawPath]) });
        expect(upstream.length, detail).toBe(1);
        const [u] = upstream as [(typeof upstream)[number]];
        // Only when authorised: a valid, unblocked key or the master key.
        expect(["nova", "anthropic", "open", "master"], detail).toContain(who);
        // Only to the configured host, with the path as sent (after the runtime's URL parsing, which removes dot
        // segments, `%2E%2E` included, before the gateway sees the request: what is checked is what is sent).
        expect(u.headers.host, detail).toBe(emulatorHost);
        expect(u.rawPath, detail).toBe(new URL("http://gateway/bedrock" + path).pathname.slice("/bedrock".length));
        // Never with a client credential: the gateway's own signature, no client secret anywhere.
        expect(u.headers.authorization?.startsWith(`AWS4-HMAC-SHA256 Credential=${EMULATOR_ACCESS_KEY_ID}/`), detail).toBe(true);
        for (const [name, value] of Object.entries(u.headers)) for (const secret of secrets) expect(value.includes(secret), `${name} carries a client secret: ${detail}`).toBe(false);
        for (const name of ["cookie", "x-api-key", "x-litellm-api-key", "litellm_user_api_key", "x-forwarded-host", "x-amz-security-token"]) expect(u.headers[name], detail).toBeUndefined();
        // Never for a model the key may not use.
        const model = decodedModel(u.rawPath);
        if (who === "nova") {
          expect(model && modelOfArn(model), detail).toBe(NOVA);
        }
        if (who === "anthropic") {
          const converse = model !== null && /^anthropic\.[^/]*$/.test(modelOfArn(model)) && /^\/model\/[^/]+\/converse$/.test(u.rawPath);
          // allowed_routes "agents": InvokeAgent, memories and sessions (the group of `/agents` and `/sessions`).
          expect(converse || /^\/(agents|sessions)\//.test(u.rawPath), detail).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
    // The property is not vacuous: some of the generated requests were allowed through. Of 400, 30 to 45 reach
    // Bedrock (measured over runs; 22 and 24 seen once each), so the bar sits well below that spread, not inside it.
    expect(reached).toBeGreaterThan(10);
  }, 120_000);
});
