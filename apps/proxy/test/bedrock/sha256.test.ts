import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { NativeSha256, sha256Hex } from "../../src/bedrock/sha256.ts";

// On Bun the signer's hash is Bun's own hasher: it must agree with node:crypto byte for byte, for every key shape
// the SigV4 signer passes (the secret as a string, derived keys as bytes) and across reset().
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const body = new TextEncoder().encode(JSON.stringify({ messages: [{ role: "user", content: [{ text: "héllo" }] }] }));

describe("NativeSha256", () => {
  it("hashes as SHA-256, in pieces and across reset", async () => {
    const hash = new NativeSha256();
    hash.update(body);
    hash.update("tail ✓");
    expect(hex(await hash.digest())).toBe(createHash("sha256").update(body).update("tail ✓").digest("hex"));
    hash.reset();
    hash.update("again");
    expect(hex(await hash.digest())).toBe(createHash("sha256").update("again").digest("hex"));
  });

  it.each([
    ["a string", "AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["bytes", new Uint8Array([0, 1, 2, 250, 255])],
    ["an ArrayBuffer", new Uint8Array([7, 7, 7]).buffer],
    ["a view into a larger buffer", new Uint8Array([1, 2, 3, 4, 5, 6]).subarray(2, 5)],
  ])("is HMAC-SHA256 with a key given as %s", async (_shape, key) => {
    const mac = new NativeSha256(key);
    mac.update("20261125");
    const expected = createHmac("sha256", key instanceof ArrayBuffer ? new Uint8Array(key) : key).update("20261125").digest("hex");
    expect(hex(await mac.digest())).toBe(expected);
    mac.reset();
    mac.update("20261125");
    expect(hex(await mac.digest())).toBe(expected);
  });

  it("sha256Hex is the hex SHA-256 of the payload", () => {
    expect(sha256Hex(body)).toBe(createHash("sha256").update(body).digest("hex"));
    expect(sha256Hex(new Uint8Array(0))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
