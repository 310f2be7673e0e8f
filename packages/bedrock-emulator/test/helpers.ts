import { Sha256 } from "@aws-crypto/sha256-js";
import { BedrockAgentRuntimeClient } from "@aws-sdk/client-bedrock-agent-runtime";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "../src/index.ts";

export const creds = { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY };

export function runtimeClient(url: string, extra: Record<string, unknown> = {}) {
  return new BedrockRuntimeClient({
    endpoint: url,
    region: "us-east-1",
    credentials: creds,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    ...extra,
  });
}

export function agentClient(url: string, extra: Record<string, unknown> = {}) {
  return new BedrockAgentRuntimeClient({
    endpoint: url,
    region: "us-east-1",
    credentials: creds,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    ...extra,
  });
}

export interface SignOptions {
  method?: string;
  /** Path exactly as it goes on the wire (already percent-encoded). */
  path: string;
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
  region?: string;
  service?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  signingDate?: Date;
  unsignableHeaders?: Set<string>;
}

/** Signs like an AWS SDK would (SignatureV4, service bedrock) and returns the pieces to send. */
export async function signRequest(url: string, o: SignOptions) {
  const { host } = new URL(url);
  const signer = new SignatureV4({
    service: o.service ?? "bedrock",
    region: o.region ?? "us-east-1",
    sha256: Sha256,
    credentials: {
      accessKeyId: o.accessKeyId ?? creds.accessKeyId,
      secretAccessKey: o.secretAccessKey ?? creds.secretAccessKey,
      sessionToken: o.sessionToken,
    },
  });
  const req = new HttpRequest({
    method: o.method ?? "POST",
    protocol: "http:",
    hostname: host,
    path: o.path,
    query: o.query,
    headers: { host, "content-type": "application/json", ...o.headers },
    body: o.body,
  });
  const signed = await signer.sign(req, { signingDate: o.signingDate ?? new Date(), unsignableHeaders: o.unsignableHeaders });
  const qs = o.query ? "?" + Object.entries(o.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&") : "";
  return { url: `${url}${o.path}${qs}`, method: signed.method, headers: { ...signed.headers } as Record<string, string>, body: o.body };
}

export async function signedFetch(url: string, o: SignOptions, tamper?: (r: { url: string; headers: Record<string, string>; body?: string }) => void) {
  const r = await signRequest(url, o);
  tamper?.(r);
  return fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
}

export const converseBody = (text = "one two three four", emulator?: Record<string, unknown>) =>
  JSON.stringify({
    messages: [{ role: "user", content: [{ text }] }],
    ...(emulator && { additionalModelRequestFields: { emulator } }),
  });
