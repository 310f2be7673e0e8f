import { describe, expect, it } from "vitest";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SigV4Error, verifySigV4 } from "../src/index.ts";

const creds = { accessKeyId: "BGWAEXAMPLE000000001", secretAccessKey: "secret/one" };
const now = Date.UTC(2026, 10, 25, 12, 0, 0);

async function signed(opts: { service?: string; secret?: string; path?: string; body?: string; at?: number } = {}) {
  const signer = new SignatureV4({ service: opts.service ?? "bedrock", region: "eu-west-1", sha256: Sha256, credentials: { ...creds, secretAccessKey: opts.secret ?? creds.secretAccessKey } });
  const body = opts.body ?? '{"a":1}';
  const path = opts.path ?? "/bedrock/model/cohere.command-r-v1%3A0/converse";
  const req = await signer.sign(
    { method: "POST", protocol: "http:", hostname: "gw.local", path, headers: { host: "gw.local", "content-type": "application/json" }, query: { x: "a+b" }, body },
    { signingDate: new Date(opts.at ?? now) },
  );
  return { method: "POST", rawPath: path, rawQuery: "x=a%2Bb", headers: new Headers(req.headers as Record<string, string>), body: new TextEncoder().encode(body) };
}

const lookup = (id: string) => (id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey } : null);

describe("verifySigV4 with a credential lookup", () => {
  it("accepts a request signed by an official signer, over the /bedrock-prefixed raw path", async () => {
    await expect(verifySigV4(await signed(), { lookup, nowMs: now })).resolves.toEqual({ accessKeyId: creds.accessKeyId, region: "eu-west-1", signature: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it.each([
    ["an unknown access key id", async () => verifySigV4(await signed(), { lookup: () => null, nowMs: now }), "UnrecognizedClientException"],
    ["a wrong secret", async () => verifySigV4(await signed({ secret: "nope" }), { lookup, nowMs: now }), "InvalidSignatureException"],
    ["another service's signature", async () => verifySigV4(await signed({ service: "s3" }), { lookup, nowMs: now }), "InvalidSignatureException"],
    ["a request older than five minutes", async () => verifySigV4(await signed({ at: now - 6 * 60_000 }), { lookup, nowMs: now }), "InvalidSignatureException"],
    [
      "a tampered body",
      async () => verifySigV4({ ...(await signed()), body: new TextEncoder().encode('{"a":2}') }, { lookup, nowMs: now }),
      "InvalidSignatureException",
    ],
  ])("refuses %s", async (_name, run, type) => {
    const error = await run().catch((e) => e);
    expect(error).toBeInstanceOf(SigV4Error);
    expect(error.type).toBe(type);
  });
});

describe("verifySigV4 over HTTP/2: `:authority` in SignedHeaders, as the AWS SDKs sign it there", () => {
  /** Signed the way the SDK's HTTP/2 handler does: `:authority` instead of `host`; the pseudo-header is never in Headers. */
  async function signedOverH2(authority: string) {
    const signer = new SignatureV4({ service: "bedrock", region: "eu-west-1", sha256: Sha256, credentials: creds });
    const body = '{"a":1}';
    const path = "/bedrock/model/cohere.command-r-v1%3A0/converse";
    const req = await signer.sign(
      { method: "POST", protocol: "http:", hostname: "gw.local", port: 4000, path, headers: { ":authority": authority, "content-type": "application/json" }, query: {}, body },
      { signingDate: new Date(now) },
    );
    expect(req.headers.authorization).toContain("SignedHeaders=:authority;");
    const { [":authority"]: _pseudo, ...headers } = req.headers as Record<string, string>;
    return { method: "POST", rawPath: path, rawQuery: "", headers: new Headers(headers), body: new TextEncoder().encode(body) };
  }

  it("accepts it with the request's authority as the value", async () => {
    const parts = await signedOverH2("gw.local:4000");
    await expect(verifySigV4({ ...parts, authority: "gw.local:4000" }, { lookup, nowMs: now })).resolves.toMatchObject({ accessKeyId: creds.accessKeyId });
    // Bun hands HTTP/2's :authority to the handler as Host: the default reads it from there.
    const viaHost = new Headers(parts.headers);
    viaHost.set("host", "gw.local:4000");
    await expect(verifySigV4({ ...parts, headers: viaHost }, { lookup, nowMs: now })).resolves.toMatchObject({ accessKeyId: creds.accessKeyId });
  });

  it("refuses it when the authority differs from the signed one, or is missing", async () => {
    const parts = await signedOverH2("gw.local:4000");
    for (const authority of ["evil.example:4000", null]) {
      const error = await verifySigV4({ ...parts, authority }, { lookup, nowMs: now }).catch((e) => e);
      expect(error).toBeInstanceOf(SigV4Error);
      expect(error.type).toBe("InvalidSignatureException");
    }
  });
});

describe("the Authorization header's shape", () => {
  it("refuses two Signature parameters in one header (the first valid, the last garbage, or the reverse)", async () => {
    const req = await signed();
    const header = req.headers.get("authorization")!;
    for (const doubled of [header + ", Signature=" + "0".repeat(64), header.replace("Signature=", "Signature=" + "0".repeat(64) + ", Signature=")]) {
      const headers = new Headers(req.headers);
      headers.set("authorization", doubled);
      const error = await verifySigV4({ ...req, headers }, { lookup, nowMs: now }).catch((e) => e);
      expect(error).toBeInstanceOf(SigV4Error);
      expect(error.type).toBe("IncompleteSignatureException");
      expect(error.message).toContain("more than one 'Signature'");
    }
  });
});
