import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultKeySettings } from "../../src/keys/key-service.ts";
import { openStore } from "../../src/store/open-store.ts";
import type { KeySettings, Store } from "../../src/store/types.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const settings: KeySettings = defaultKeySettings;
const token = (n: number) => n.toString(16).padStart(64, "0");

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("AWS-style credentials in the store on %s", (_driver, makeDatabase) => {
  let db: ThrowawayDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await makeDatabase();
    store = await openStore(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("finds a key by its access key id, and refuses a taken id", async () => {
    const created = await store.createKey({ ...settings, token: token(1), keyName: "sk-...1", awsAccessKeyId: "BGWAAAAAAAAAAAAAAAA1", awsSecretCiphertext: "v1:a:b" });
    expect(await store.getKeyByAccessKeyId("BGWAAAAAAAAAAAAAAAA1")).toEqual(created);
    expect(await store.getKeyByAccessKeyId("BGWAAAAAAAAAAAAAAAA9")).toBeNull();
    const conflict = await store.createKey({ ...settings, token: token(2), keyName: "sk-...2", awsAccessKeyId: "BGWAAAAAAAAAAAAAAAA1", awsSecretCiphertext: "v1:c:d" }).catch((e) => e);
    expect(conflict.field).toBe("aws_access_key_id");
  });

  it("rotation keeps the pair unless told, replaces it, or removes it", async () => {
    const kept = await store.rotateKey(token(1), { token: token(3), keyName: "sk-...3" }, {});
    expect(kept).toMatchObject({ awsAccessKeyId: "BGWAAAAAAAAAAAAAAAA1", awsSecretCiphertext: "v1:a:b" });
    const replaced = await store.rotateKey(token(3), { token: token(4), keyName: "sk-...4", awsAccessKeyId: "BGWAAAAAAAAAAAAAAAA2", awsSecretCiphertext: "v1:e:f" }, {});
    expect(replaced).toMatchObject({ awsAccessKeyId: "BGWAAAAAAAAAAAAAAAA2", awsSecretCiphertext: "v1:e:f" });
    expect(await store.getKeyByAccessKeyId("BGWAAAAAAAAAAAAAAAA1")).toBeNull();
    const removed = await store.rotateKey(token(4), { token: token(5), keyName: "sk-...5", awsAccessKeyId: null, awsSecretCiphertext: null }, {});
    expect(removed).toMatchObject({ awsAccessKeyId: null, awsSecretCiphertext: null });
  });
});
