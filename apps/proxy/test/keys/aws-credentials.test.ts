import { describe, expect, it } from "vitest";
import { createAccessKeyCache } from "../../src/keys/access-key-cache.ts";
import { generateAwsCredentials, isGatewayAccessKeyId, isWellFormedAccessKeyId } from "../../src/keys/aws-credentials.ts";
import { localInvalidation } from "../../src/keys/invalidation.ts";
import { StoreUnavailableError } from "../../src/keys/key-cache.ts";
import { createSecretBox, SecretKeyError } from "../../src/keys/secret-box.ts";
import type { KeyRow, Store } from "../../src/store/types.ts";

const SECRET_KEY = "unit-test-gateway-secret-key-0123456789abcdef";

describe("generated AWS-style credentials", () => {
  it("look like AWS's, with the gateway's own prefix, and never repeat", () => {
    const pairs = Array.from({ length: 200 }, generateAwsCredentials);
    for (const { accessKeyId, secretAccessKey } of pairs) {
      expect(accessKeyId).toMatch(/^BGWA[A-Z2-7]{16}$/);
      expect(isGatewayAccessKeyId(accessKeyId) && isWellFormedAccessKeyId(accessKeyId)).toBe(true);
      expect(secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    }
    expect(new Set(pairs.map((p) => p.accessKeyId)).size).toBe(200);
    expect(isGatewayAccessKeyId("AKIAIOSFODNN7EXAMPLE")).toBe(false);
    expect(isWellFormedAccessKeyId("BGWA")).toBe(false);
  });
});

describe("secret box", () => {
  it("round-trips, with a fresh IV each time, in the versioned format", async () => {
    const box = await createSecretBox(SECRET_KEY);
    const a = await box.seal("the secret", "BGWAID");
    const b = await box.seal("the secret", "BGWAID");
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("the secret");
    expect(await box.open(a, "BGWAID")).toBe("the secret");
  });

  it("refuses another key, another bound id, or an altered ciphertext", async () => {
    const box = await createSecretBox(SECRET_KEY);
    const sealed = await box.seal("the secret", "BGWAID");
    await expect((await createSecretBox(SECRET_KEY + "x")).open(sealed, "BGWAID")).rejects.toThrow();
    await expect(box.open(sealed, "BGWAOTHER")).rejects.toThrow();
    const [v, iv, ct] = sealed.split(":");
    const flipped = Buffer.from(ct!, "base64");
    flipped[0]! ^= 1;
    await expect(box.open(`${v}:${iv}:${flipped.toString("base64")}`, "BGWAID")).rejects.toThrow();
    await expect(box.open("v2:" + sealed.slice(3), "BGWAID")).rejects.toThrow();
  });

  it("refuses key material shorter than 32 characters", async () => {
    await expect(createSecretBox("short")).rejects.toBeInstanceOf(SecretKeyError);
  });
});

describe("access key cache", () => {
  async function setup() {
    const box = await createSecretBox(SECRET_KEY);
    const pair = generateAwsCredentials();
    const row = { token: "t1", awsAccessKeyId: pair.accessKeyId, awsSecretCiphertext: await box.seal(pair.secretAccessKey, pair.accessKeyId) } as KeyRow;
    const rows = new Map([[pair.accessKeyId, row]]);
    let reads = 0;
    const outage = { on: false };
    const store = {
      getKeyByAccessKeyId: async (id: string) => {
        reads++;
        if (outage.on) throw new Error("connection refused");
        return rows.get(id) ?? null;
      },
    } as unknown as Store;
    const invalidation = localInvalidation();
    return { box, pair, rows, store, invalidation, outage, reads: () => reads };
  }

  it("decrypts once, serves from memory, and forgets a key when its token is invalidated", async () => {
    const { box, pair, rows, store, invalidation, reads } = await setup();
    const cache = createAccessKeyCache({ store, invalidation, box });
    expect(await cache.get(pair.accessKeyId)).toEqual({ token: "t1", secretAccessKey: pair.secretAccessKey });
    await cache.get(pair.accessKeyId);
    expect(reads()).toBe(1);
    rows.delete(pair.accessKeyId);
    await invalidation.publish("t1");
    expect(await cache.get(pair.accessKeyId)).toBeNull();
    expect(reads()).toBe(2);
  });

  it("never reads storage for a malformed id, and yields nothing without the server key or with another one", async () => {
    const { pair, store, invalidation, reads } = await setup();
    expect(await createAccessKeyCache({ store, invalidation, box: null }).get(pair.accessKeyId)).toBeNull();
    const other = await createSecretBox(SECRET_KEY + "-rotated");
    expect(await createAccessKeyCache({ store, invalidation, box: other }).get(pair.accessKeyId)).toBeNull();
    const before = reads();
    expect(await createAccessKeyCache({ store, invalidation, box: null }).get("BGWA' OR 1=1 --")).toBeNull();
    expect(reads()).toBe(before);
  });

  it("rides out a store outage for a pair seen recently; an unseen one is a 503, not a 403", async () => {
    const { box, pair, store, invalidation, outage } = await setup();
    const cache = createAccessKeyCache({ store, invalidation, box, ttlMs: 0 });
    expect(await cache.get(pair.accessKeyId)).not.toBeNull();
    outage.on = true;
    await new Promise((r) => setTimeout(r, 2));
    expect(await cache.get(pair.accessKeyId)).toEqual({ token: "t1", secretAccessKey: pair.secretAccessKey });
    await expect(cache.get("BGWAZZZZZZZZZZZZZZZZ")).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
