import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultKeySettings } from "../../src/keys/key-service.ts";
import { openStore } from "../../src/store/open-store.ts";
import { StoreConflictError, type KeySettings, type Store } from "../../src/store/types.ts";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../support/databases.ts";

const settings: KeySettings = defaultKeySettings;

const token = (n: number) => n.toString(16).padStart(64, "0");
const newKey = (n: number, extra: Partial<KeySettings> = {}) => ({ token: token(n), keyName: `sk-...${n}`, ...settings, ...extra });

describe.each([
  ["sqlite", throwawaySqlite],
  ["postgres", throwawayPostgres],
] as const)("store on %s", (_driver, makeDatabase) => {
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

  it("round-trips every field", async () => {
    const created = await store.createKey(
      newKey(1, {
        keyAlias: "alpha",
        models: ["anthropic.*", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/x"],
        allowedRoutes: ["runtime"],
        allowedRegions: ["eu-west-1", "eu-central-1"],
        maxBudget: 12.5,
        budgetDuration: "30d",
        budgetResetAt: "2030-01-01T00:00:00.000Z",
        rpmLimit: 60,
        tpmLimit: 1000,
        expires: "2031-02-03T04:05:06.789Z",
        userId: "u1",
        teamId: "t1",
        metadata: { nested: { a: [1, 2] } },
      }),
    );
    expect(created).toMatchObject({
      token: token(1),
      keyName: "sk-...1",
      keyAlias: "alpha",
      models: ["anthropic.*", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/x"],
      allowedRoutes: ["runtime"],
      allowedRegions: ["eu-west-1", "eu-central-1"],
      maxBudget: 12.5,
      budgetDuration: "30d",
      budgetResetAt: "2030-01-01T00:00:00.000Z",
      spend: 0,
      rpmLimit: 60,
      tpmLimit: 1000,
      expires: "2031-02-03T04:05:06.789Z",
      userId: "u1",
      teamId: "t1",
      metadata: { nested: { a: [1, 2] } },
      blocked: false,
      awsAccessKeyId: null,
    });
    expect(Date.parse(created.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await store.getKey(token(1))).toEqual(created);
    expect(await store.getKey(token(999))).toBeNull();
  });

  it("keeps a team's allowed_regions and a spend row's attempts", async () => {
    const team = await store.upsertBudgetEntity("team", "residency", { allowedRegions: ["eu-west-1"] });
    expect(team?.allowedRegions).toEqual(["eu-west-1"]);
    expect((await store.upsertBudgetEntity("team", "residency", { maxBudget: 5 }))?.allowedRegions).toEqual(["eu-west-1"]);
    expect((await store.upsertBudgetEntity("user", "plain", {}))?.allowedRegions).toEqual([]);
    const attempts = JSON.stringify([{ region: "us-east-1", status: 429, error: "ThrottlingException", ms: 3 }, { region: "us-west-2", status: 200, ms: 9 }]);
    const row = {
      requestId: "attempts-row", startTime: new Date().toISOString(), endTime: new Date().toISOString(), apiKey: null, keyAlias: null, userId: null, teamId: null, endUser: null,
      route: "/model/m/converse", operation: "Converse", model: "m", region: "us-west-2", status: 200, latencyMs: 12, ttfbMs: 10, inputTokens: 1, outputTokens: 1,
      cacheReadInputTokens: 0, cacheWriteInputTokens: 0, spend: null, usageSource: null, usageComplete: null, note: null, upstreamRequestId: null, attempts, requestBody: null, responseBody: null,
    };
    expect(await store.insertSpendLogs([row])).toBe(1);
    expect((await store.querySpendLogs({ model: "m", offset: 0, limit: 10 })).rows[0]?.attempts).toBe(attempts);
  });

  it("refuses a duplicate token or alias", async () => {
    await expect(store.createKey(newKey(1))).rejects.toMatchObject({ field: "token" });
    const error = await store.createKey(newKey(2, { keyAlias: "alpha" })).catch((e) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error.field).toBe("key_alias");
    expect(await store.getKey(token(2))).toBeNull();
  });

  it("updates only the given fields", async () => {
    const before = (await store.getKey(token(1)))!;
    const after = await store.updateKey(token(1), { models: ["amazon.nova-lite-v1:0"], blocked: true, expires: null });
    expect(after).toMatchObject({ models: ["amazon.nova-lite-v1:0"], blocked: true, expires: null, keyAlias: "alpha", maxBudget: 12.5 });
    expect(Date.parse(after!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
    expect(await store.updateKey(token(999), { blocked: true })).toBeNull();
  });

  it("refuses an update to a taken alias and leaves the row unchanged", async () => {
    await store.createKey(newKey(3, { keyAlias: "gamma" }));
    await expect(store.updateKey(token(3), { keyAlias: "alpha", maxBudget: 1 })).rejects.toBeInstanceOf(StoreConflictError);
    expect(await store.getKey(token(3))).toMatchObject({ keyAlias: "gamma", maxBudget: null });
  });

  it("rotates a key's token and keeps its settings", async () => {
    const rotated = await store.rotateKey(token(3), { token: token(4), keyName: "sk-...4" }, { rpmLimit: 5 });
    expect(rotated).toMatchObject({ token: token(4), keyName: "sk-...4", keyAlias: "gamma", rpmLimit: 5 });
    expect(await store.getKey(token(3))).toBeNull();
    expect(await store.rotateKey(token(3), { token: token(5), keyName: "x" }, {})).toBeNull();
  });

  it("deletes all or nothing", async () => {
    await store.createKey(newKey(6));
    expect(await store.deleteKeys([token(6), token(404)])).toEqual({ ok: false, missing: [token(404)] });
    expect(await store.getKey(token(6))).not.toBeNull();
    expect(await store.deleteKeys([token(6), token(6)])).toEqual({ ok: true, deleted: [token(6)] });
    expect(await store.getKey(token(6))).toBeNull();
  });

  it("lists newest first with filters and pages", async () => {
    for (let n = 10; n < 15; n++) {
      await store.createKey(newKey(n, { userId: n % 2 ? "odd" : "even", teamId: "team" }));
      await new Promise((r) => setTimeout(r, 3));
    }
    const page = await store.listKeys({ teamId: "team", offset: 0, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => r.token)).toEqual([token(14), token(13)]);
    const odd = await store.listKeys({ userId: "odd", offset: 0, limit: 10 });
    expect(odd.rows.map((r) => r.token)).toEqual([token(13), token(11)]);
    expect((await store.listKeys({ keyAlias: "alpha", offset: 0, limit: 10 })).rows.map((r) => r.token)).toEqual([token(1)]);
    expect((await store.listKeys({ teamId: "team", offset: 4, limit: 10 })).rows).toHaveLength(1);
  });

  it("pings", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("applies migrations once when several instances open the same database at once", async () => {
    const others = await Promise.all([openStore(db.url), openStore(db.url), openStore(db.url)]);
    expect(await others[0].getKey(token(1))).not.toBeNull();
    await Promise.all(others.map((s) => s.close()));
  });
});

describe("migrations on a fresh PostgreSQL database", () => {
  it("survive concurrent first starts", async () => {
    const db = await throwawayPostgres();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(db.url)));
      await stores[0].createKey(newKey(1));
      expect(await stores[3].getKey(token(1))).not.toBeNull();
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await db.drop();
    }
  });
});

describe("migrations on a fresh SQLite file", () => {
  it("survive concurrent first starts in one process", async () => {
    const db = throwawaySqlite();
    try {
      const stores = await Promise.all(Array.from({ length: 3 }, () => openStore(db.url)));
      await stores[0].createKey(newKey(1));
      expect(await stores[2].getKey(token(1))).not.toBeNull();
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await db.drop();
    }
  });
});
