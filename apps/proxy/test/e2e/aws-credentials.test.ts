import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { BedrockAgentRuntimeClient, InvokeAgentCommand, RetrieveCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { createProxiedBedrockAgentClient, createProxiedBedrockClient } from "@bedrock-gateway/client";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv, startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime, startGateway } from "../support/gateway-process.ts";

const MASTER = "sk-master-aws-credentials";
const SECRET_KEY = "test-only-gateway-secret-key-0123456789abcdef";
const NOVA = "amazon.nova-lite-v1:0";
const messages = [{ role: "user" as const, content: [{ text: "signed by an unmodified SDK" }] }];

let stack: Stack;

interface Pair {
  key: string;
  token: string;
  accessKeyId: string;
  secretAccessKey: string;
}

async function admin(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(stack.gateway.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function issuePair(settings: Record<string, unknown> = {}): Promise<Pair> {
  const { status, body } = await admin("/key/generate", { aws_credentials: true, ...settings });
  expect(status).toBe(200);
  return { key: body.key, token: body.token, accessKeyId: body.aws_access_key_id, secretAccessKey: body.aws_secret_access_key };
}

/** The official clients exactly as an AWS user configures them: endpoint, region, credentials. Nothing else. */
function runtime(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return new BedrockRuntimeClient({ region: "us-east-1", endpoint: stack.bedrockUrl, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
}
function agents(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return new BedrockAgentRuntimeClient({ region: "eu-west-3", endpoint: stack.bedrockUrl, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
}

interface SignOptions {
  pair: { accessKeyId: string; secretAccessKey: string };
  body?: string;
  /** What is actually sent, when it differs from what was signed. */
  sentBody?: string;
  service?: string;
  signingDate?: Date;
  /** Sign without x-amz-content-sha256 (the SDKs add it only for some services). */
  noContentHash?: boolean;
}

/** A Converse request signed with @smithy/signature-v4 directly, so each part can be tampered with. */
async function signedFetch(options: SignOptions): Promise<Response> {
  const body = options.body ?? JSON.stringify({ messages });
  const url = new URL(`${stack.bedrockUrl}/model/${encodeURIComponent(NOVA)}/converse`);
  const signer = new SignatureV4({ service: options.service ?? "bedrock", region: "us-west-2", credentials: options.pair, sha256: Sha256, uriEscapePath: true });
  const headers: Record<string, string> = { host: url.host, "content-type": "application/json" };
  if (!options.noContentHash) {
    const hash = new Sha256();
    hash.update(body);
    headers["x-amz-content-sha256"] = Buffer.from(await hash.digest()).toString("hex");
  }
  const request = new HttpRequest({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, headers, body });
  const signed = await signer.sign(request, { signingDate: options.signingDate });
  const { host: _host, ...sent } = signed.headers;
  return fetch(url, { method: "POST", headers: sent, body: options.sentBody ?? body });
}

/** Runs `action` and checks that nothing reached Bedrock meanwhile. */
async function refusedBeforeBedrock<T>(action: () => Promise<T>): Promise<T> {
  const before = stack.emulator.requests.length;
  const result = await action();
  expect(stack.emulator.requests.length).toBe(before);
  return result;
}

async function expectRefusal(res: Response, status: number, type: string, message?: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("x-amzn-errortype")).toBe(type);
  const body = await res.json();
  if (message) expect(body.message).toMatch(message);
}

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: SECRET_KEY });
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

describe(`gateway-issued AWS credentials, verified by SigV4 (${proxyRuntime})`, () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await issuePair({ key_alias: "sigv4-main" });
  });

  it("are issued once, AWS-shaped, and only the access key id is shown afterwards", async () => {
    expect(pair.accessKeyId).toMatch(/^BGWA[A-Z2-7]{16}$/);
    expect(pair.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const res = await fetch(`${stack.gateway.url}/key/info?key=${pair.token}`, { headers: { authorization: `Bearer ${MASTER}` } });
    const info = await res.json();
    expect(info.info.aws_access_key_id).toBe(pair.accessKeyId);
    const list = await (await fetch(`${stack.gateway.url}/key/list?return_full_object=true`, { headers: { authorization: `Bearer ${MASTER}` } })).text();
    expect(list).toContain(pair.accessKeyId);
    expect(JSON.stringify(info) + list).not.toContain(pair.secretAccessKey);
  });

  it("Converse and ConverseStream through the official BedrockRuntimeClient, no header, no middleware", async () => {
    const client = runtime(pair);
    const out = await client.send(new ConverseCommand({ modelId: NOVA, messages }));
    expect(out.usage?.inputTokens).toBe(expectedUsage({ messages }, "Converse").inputTokens);
    let text = "";
    for await (const e of (await client.send(new ConverseStreamCommand({ modelId: NOVA, messages }))).stream!) text += e.contentBlockDelta?.delta?.text ?? "";
    expect(text.trim()).toBe(expectedUsage({ messages }, "ConverseStream").replyText);
    expect(stack.emulator.requests).toHaveLength(2);
    for (const r of stack.emulator.requests) {
      expect(r.verified).toBe(true);
      // Re-signed with the gateway's own AWS credentials: the client's signature never goes upstream.
      expect(r.headers.authorization).not.toContain(pair.accessKeyId);
    }
  });

  it("Retrieve and InvokeAgent through the official BedrockAgentRuntimeClient, signed for another region", async () => {
    const client = agents(pair);
    const kb = await client.send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } }));
    expect(kb.retrievalResults?.length).toBeGreaterThan(0);
    const agent = await client.send(new InvokeAgentCommand({ agentId: "A", agentAliasId: "B", sessionId: "s-sigv4", inputText: "hello agent" }));
    let completion = "";
    for await (const e of agent.completion!) if (e.chunk?.bytes) completion += new TextDecoder().decode(e.chunk.bytes);
    expect(completion.length).toBeGreaterThan(0);
    expect(stack.emulator.requests.map((r) => [r.operation, r.verified])).toEqual([
      ["Retrieve", true],
      ["InvokeAgent", true],
    ]);
  });

  it("createProxiedBedrockClient and the agent client take the pair too (ARN model id, encoded path)", async () => {
    const credentials = { accessKeyId: pair.accessKeyId, secretAccessKey: pair.secretAccessKey };
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/sigv4";
    const out = await createProxiedBedrockClient(credentials, { baseUrl: stack.bedrockUrl }).send(new ConverseCommand({ modelId: arn, messages }));
    expect(out.usage?.inputTokens).toBeGreaterThan(0);
    expect(stack.emulator.requests[0]).toMatchObject({ rawPath: `/model/${encodeURIComponent(arn)}/converse`, verified: true });
    const kb = await createProxiedBedrockAgentClient(credentials, { baseUrl: stack.bedrockUrl }).send(new RetrieveCommand({ knowledgeBaseId: "KB2", retrievalQuery: { text: "q" } }));
    expect(kb.retrievalResults?.length).toBeGreaterThan(0);
  });

  it("a correctly signed request made by hand (any region, body hash checked) is accepted", async () => {
    const res = await signedFetch({ pair });
    expect(res.status).toBe(200);
    const unhashed = await signedFetch({ pair, noContentHash: true });
    expect(unhashed.status).toBe(200);
  });

  describe("refusals never reach Bedrock", () => {
    it("a wrong secret: 403 InvalidSignatureException, typed in the SDK", async () => {
      const error = await refusedBeforeBedrock(() =>
        runtime({ accessKeyId: pair.accessKeyId, secretAccessKey: pair.secretAccessKey.replace(/^./, (c) => (c === "A" ? "B" : "A")) })
          .send(new ConverseCommand({ modelId: NOVA, messages }))
          .catch((e) => e),
      );
      expect(error.name).toBe("InvalidSignatureException");
      expect(error.$metadata.httpStatusCode).toBe(403);
      expect(error.message).toMatch(/signature we calculated does not match/);
    });

    it("a tampered body: with the signed content hash, and without one", async () => {
      const tampered = JSON.stringify({ messages: [{ role: "user", content: [{ text: "signed by an unmodified SDK!" }] }] });
      await refusedBeforeBedrock(async () => {
        await expectRefusal(await signedFetch({ pair, sentBody: tampered }), 403, "InvalidSignatureException", /x-amz-content-sha256/);
        await expectRefusal(await signedFetch({ pair, sentBody: tampered, noContentHash: true }), 403, "InvalidSignatureException", /does not match/);
      });
    });

    it("a request signed more than 5 minutes ago (replay) or more than 5 minutes ahead", async () => {
      await refusedBeforeBedrock(async () => {
        await expectRefusal(await signedFetch({ pair, signingDate: new Date(Date.now() - 6 * 60_000) }), 403, "InvalidSignatureException", /Signature expired/);
        await expectRefusal(await signedFetch({ pair, signingDate: new Date(Date.now() + 6 * 60_000) }), 403, "InvalidSignatureException", /not yet current/);
      });
      // Within the window (a client clock 4 minutes slow) it is accepted, as AWS accepts it.
      expect((await signedFetch({ pair, signingDate: new Date(Date.now() - 4 * 60_000) })).status).toBe(200);
    });

    it("a valid signature for another service (s3)", async () => {
      await refusedBeforeBedrock(async () => {
        await expectRefusal(await signedFetch({ pair, service: "s3" }), 403, "InvalidSignatureException", /scoped to correct service: 'bedrock'/);
      });
    });

    it("an AWS access key id (AKIA...) and no key header: 401, as before", async () => {
      const error = await refusedBeforeBedrock(() =>
        runtime({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" })
          .send(new ConverseCommand({ modelId: NOVA, messages }))
          .catch((e) => e),
      );
      expect(error.name).toBe("UnrecognizedClientException");
      expect(error.$metadata.httpStatusCode).toBe(401);
    });

    it("an unknown gateway access key id: 403 UnrecognizedClientException", async () => {
      const error = await refusedBeforeBedrock(() =>
        agents({ accessKeyId: "BGWAAAAAAAAAAAAAAAAA", secretAccessKey: pair.secretAccessKey })
          .send(new RetrieveCommand({ knowledgeBaseId: "KB1", retrievalQuery: { text: "q" } }))
          .catch((e) => e),
      );
      expect(error.name).toBe("UnrecognizedClientException");
      expect(error.$metadata.httpStatusCode).toBe(403);
      expect(error.message).toBe("The security token included in the request is invalid.");
    });
  });

  describe("the key's own rules apply", () => {
    it("model allow-list", async () => {
      const limited = await issuePair({ models: ["anthropic.*"] });
      const error = await refusedBeforeBedrock(() => runtime(limited).send(new ConverseCommand({ modelId: NOVA, messages })).catch((e) => e));
      expect(error.name).toBe("AccessDeniedException");
    });

    it("blocked, then unblocked", async () => {
      const p = await issuePair();
      expect((await admin("/key/block", { key: p.token })).status).toBe(200);
      const error = await refusedBeforeBedrock(() => runtime(p).send(new ConverseCommand({ modelId: NOVA, messages })).catch((e) => e));
      expect(error.name).toBe("AccessDeniedException");
      expect((await admin("/key/unblock", { key: p.token })).status).toBe(200);
      expect((await runtime(p).send(new ConverseCommand({ modelId: NOVA, messages }))).usage).toBeDefined();
    });

    it("regenerate rotates the pair: the old one dies at once, the new one works; deleting kills it", async () => {
      const old = await issuePair();
      await runtime(old).send(new ConverseCommand({ modelId: NOVA, messages }));
      const { status, body } = await admin("/key/regenerate", { key: old.token });
      expect(status).toBe(200);
      expect(body.aws_access_key_id).toMatch(/^BGWA/);
      expect(body.aws_access_key_id).not.toBe(old.accessKeyId);
      const fresh = { accessKeyId: body.aws_access_key_id, secretAccessKey: body.aws_secret_access_key };
      const error = await refusedBeforeBedrock(() => runtime(old).send(new ConverseCommand({ modelId: NOVA, messages })).catch((e) => e));
      expect(error.name).toBe("UnrecognizedClientException");
      expect((await runtime(fresh).send(new ConverseCommand({ modelId: NOVA, messages }))).usage).toBeDefined();
      expect((await admin("/key/delete", { keys: [body.token] })).status).toBe(200);
      const gone = await refusedBeforeBedrock(() => runtime(fresh).send(new ConverseCommand({ modelId: NOVA, messages })).catch((e) => e));
      expect(gone.name).toBe("UnrecognizedClientException");
    });

    it("regenerate can add a pair to a bearer-only key, and drop one", async () => {
      const plain = await admin("/key/generate", {});
      expect(plain.body.aws_access_key_id).toBeUndefined();
      const added = await admin("/key/regenerate", { key: plain.body.token, aws_credentials: true });
      expect(added.body.aws_secret_access_key).toHaveLength(40);
      const dropped = await admin("/key/regenerate", { key: added.body.token, aws_credentials: false });
      expect(dropped.body.aws_access_key_id).toBeUndefined();
      const info = await (await fetch(`${stack.gateway.url}/key/info?key=${dropped.body.token}`, { headers: { authorization: `Bearer ${MASTER}` } })).json();
      expect(info.info.aws_access_key_id).toBeNull();
      const error = await runtime({ accessKeyId: added.body.aws_access_key_id, secretAccessKey: added.body.aws_secret_access_key })
        .send(new ConverseCommand({ modelId: NOVA, messages }))
        .catch((e) => e);
      expect(error.name).toBe("UnrecognizedClientException");
    });

    it("/key/update cannot change aws_credentials (it could not show the new secret)", async () => {
      const res = await admin("/key/update", { key: pair.token, aws_credentials: true });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/regenerate/);
    });

    it("an explicit key header wins over a gateway signature", async () => {
      const wrong = runtime({ accessKeyId: pair.accessKeyId, secretAccessKey: "x".repeat(40) });
      wrong.middlewareStack.add(
        (next) => async (args: any) => {
          args.request.headers["x-api-key"] = pair.key;
          return next(args);
        },
        { step: "finalizeRequest", name: "gatewayKeyHeader" },
      );
      expect((await wrong.send(new ConverseCommand({ modelId: NOVA, messages }))).usage).toBeDefined();
    });
  });

  it("neither the secret nor a signature appears in the gateway's output", () => {
    const output = stack.gateway.output.join("\n");
    expect(output).not.toContain(pair.secretAccessKey);
    expect(output).not.toMatch(/Signature=[0-9a-f]{64}/);
  });
});

describe(`GATEWAY_SECRET_KEY (${proxyRuntime})`, () => {
  it("without it, aws_credentials: true is refused with a message for the operator, and nothing is written", async () => {
    const gateway = await startGateway({ ...emulatorEnv(stack.emulator), MASTER_KEY: MASTER });
    try {
      const res = await fetch(gateway.url + "/key/generate", {
        method: "POST",
        headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
        body: JSON.stringify({ aws_credentials: true, key_alias: "no-secret-key" }),
      });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toMatch(/GATEWAY_SECRET_KEY/);
      const list = await (await fetch(gateway.url + "/key/list?key_alias=no-secret-key", { headers: { authorization: `Bearer ${MASTER}` } })).json();
      expect(list.total_count).toBe(0);
    } finally {
      await gateway.stop();
    }
  });

  it("shorter than 32 characters: the gateway refuses to start", async () => {
    const error = await startGateway({ ...emulatorEnv(stack.emulator), MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: "too-short" }).catch((e) => e);
    expect(String(error.message)).toMatch(/GATEWAY_SECRET_KEY must be at least 32 characters/);
  });
});
