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
    await expect(verifySigV4(await signed(), { lookup, nowMs: now })).resolves.toEqual({ accessKeyId: creds.accessKeyId, region: "eu-west-1" });
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
