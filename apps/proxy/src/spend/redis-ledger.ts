import type Redis from "ioredis";
import { parseDuration } from "../keys/duration.ts";
import { setBounded } from "../cache/bounded-map.ts";
import { log, warnAtMostEvery } from "../log.ts";
import type { RedisConnection } from "../redis/connection.ts";
import { nextBudgetReset } from "../store/spend-types.ts";
import type { Store } from "../store/types.ts";
import { localBudgetLedger, type BudgetLedger, type BudgetScope } from "./ledger.ts";
import { errorMessage } from "../error-message.ts";

/** Adds to a counter only if it exists (it is seeded from the store first); nil otherwise. */
const ADD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
`;

/**
 * Checks every budgeted counter, then adds to every counter, in one step: no two instances can both take the
 * last of a budget. KEYS: counters. ARGV: amount, then each counter's budget ("" for none).
 * Returns 0, the 1-based index of the counter at its budget, or minus the index of a counter to seed first.
 */
const RESERVE = `
for i = 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if not value then return -i end
  local max = ARGV[i + 1]
  if max ~= '' and tonumber(value) >= tonumber(max) then return i end
end
for i = 1, #KEYS do redis.call('INCRBYFLOAT', KEYS[i], ARGV[1]) end
return 0
`;

export interface RedisLedgerOptions {
  connection: RedisConnection;
  store: Store;
  prefix?: string;
  /** Counters are re-read from the store at least this often (self-heals after outages). Default 10 min. */
  reseedMs?: number;
  now?: () => number;
}

interface StoreFigure {
  spend: number;
  resetAt: string | null;
  readAt: number;
}

/**
 * Budget counters shared by every instance: `<prefix>spend:<kind>:<id>:<window end | all>`, a float in USD.
 * A missing counter is seeded from the store (SET NX: the first instance wins, the rest read its figure), then
 * every settled call adds with INCRBYFLOAT before its spend row is queued, so the store's figure at seeding time
 * never includes a call the counter also counts. Windows come from the store's `budget_reset_at` (rolled forward
 * by `budget_duration`), or, before the store set one, from windows aligned to the epoch, so every instance names
 * the same counter. Counters expire after `reseedMs` and are seeded again from the (authoritative) store.
 *
 * While Redis is down, an in-process ledger (seeded from the store) answers instead; it starts afresh at each
 * outage. Spend settled during an outage reaches Redis when its counters are next seeded.
 */
export function redisBudgetLedger(options: RedisLedgerOptions): BudgetLedger {
  const { connection, store, prefix = "gw:", reseedMs = 600_000, now = Date.now } = options;
  const client: Redis = connection.client;
  client.defineCommand("gwLedgerAdd", { numberOfKeys: 1, lua: ADD });
  client.defineCommand("gwLedgerReserve", { lua: RESERVE });
  const reserveScript = (keys: string[], amount: number, maxes: string[]) =>
    redisCall((client as unknown as { gwLedgerReserve(...args: (string | number)[]): Promise<number> }).gwLedgerReserve(keys.length, ...keys, String(amount), ...maxes));
  const add = (key: string, amount: number) => redisCall((client as unknown as { gwLedgerAdd(k: string, a: string): Promise<string | null> }).gwLedgerAdd(key, String(amount)));

  let local = localBudgetLedger(store, { now });
  connection.onChange((healthy) => {
    if (healthy) return;
    const stale = local;
    local = localBudgetLedger(store, { now });
    void stale.close();
  });

  const figures = new Map<string, Promise<StoreFigure>>();
  const figureOf = async (scope: BudgetScope, maxAgeMs: number): Promise<StoreFigure> => {
    const ref = `${scope.kind}:${scope.id}`;
    const cached = figures.get(ref);
    if (cached) {
      const figure = await cached.catch(() => null);
      if (figure && now() - figure.readAt <= maxAgeMs) return figure;
    }
    const read = (async () => {
      const row = scope.kind === "key" ? await store.getKey(scope.id) : await store.getBudgetEntity(scope.kind, scope.id);
      return { spend: row?.spend ?? 0, resetAt: row?.budgetResetAt ?? null, readAt: now() };
    })();
    setBounded(figures, ref, read, 100_000);
    read.catch(() => figures.get(ref) === read && figures.delete(ref));
    return read;
  };

  /** The counter's name and how long it may live. */
  const counterOf = async (scope: BudgetScope): Promise<{ key: string; ttlMs: number }> => {
    const durationMs = scope.budgetDuration ? parseDuration(scope.budgetDuration) : null;
    const t = now();
    if (!durationMs) return { key: `${prefix}spend:${scope.kind}:${scope.id}:all`, ttlMs: reseedMs };
    const resetAt = scope.budgetResetAt ?? (await figureOf(scope, 60_000)).resetAt;
    const windowEnd = resetAt ? Date.parse(nextBudgetReset(resetAt, durationMs, t)) : Math.floor(t / durationMs) * durationMs + durationMs;
    return { key: `${prefix}spend:${scope.kind}:${scope.id}:${windowEnd}`, ttlMs: Math.max(1_000, Math.min(reseedMs, windowEnd - t + 60_000)) };
  };

  const seed = async (scope: BudgetScope, key: string, ttlMs: number): Promise<void> => {
    const figure = await figureOf(scope, 0);
    // The store has not started the new window yet: its figure belongs to the last one.
    const stale = figure.resetAt !== null && Date.parse(figure.resetAt) <= now() && scope.budgetDuration !== null;
    await redisCall(client.set(key, String(stale ? 0 : figure.spend), "PX", ttlMs, "NX"));
  };

  const sharedSpent = async (scope: BudgetScope): Promise<number> => {
    const { key, ttlMs } = await counterOf(scope);
    let value = await redisCall(client.get(key));
    if (value === null) {
      await seed(scope, key, ttlMs);
      value = await redisCall(client.get(key));
    }
    return Number(value ?? 0);
  };

  const sharedAdd = async (scope: BudgetScope, amount: number): Promise<void> => {
    const { key, ttlMs } = await counterOf(scope);
    if ((await add(key, amount)) !== null) return;
    await seed(scope, key, ttlMs);
    if ((await add(key, amount)) === null) throw new Error(`budget counter ${key} vanished while seeding`);
  };

  const sharedReserve = async (scopes: BudgetScope[], amount: number) => {
    const counters = await Promise.all(scopes.map(counterOf));
    const keys = counters.map((c) => c.key);
    const maxes = scopes.map((s) => (s.maxBudget === null ? "" : String(s.maxBudget)));
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = Number(await reserveScript(keys, amount, maxes));
      if (result === 0) return null;
      if (result > 0) {
        const scope = scopes[result - 1]!;
        return { scope, spent: Number((await redisCall(client.get(keys[result - 1]!))) ?? 0) };
      }
      const i = -result - 1;
      await seed(scopes[i]!, counters[i]!.key, counters[i]!.ttlMs);
    }
    throw new RedisCallError(new Error("budget counters vanished while reserving"));
  };

  const warn = warnAtMostEvery();
  const degraded = (error: unknown) => warn("redis budget counter failed: counting this instance's spend in memory", { error: errorMessage(error) });

  return {
    async spent(scope) {
      if (!connection.healthy) return local.spent(scope);
      try {
        return await sharedSpent(scope);
      } catch (error) {
        if (!(error instanceof RedisCallError)) throw error;
        degraded(error);
        return local.spent(scope);
      }
    },
    async add(scopes, amount) {
      if (amount === 0) return;
      if (!connection.healthy) return local.add(scopes, amount);
      const failed: BudgetScope[] = [];
      await Promise.all(
        scopes.map((scope) =>
          sharedAdd(scope, amount).catch((error) => {
            if (!(error instanceof RedisCallError)) throw error;
            degraded(error);
            failed.push(scope);
          }),
        ),
      );
      if (failed.length) await local.add(failed, amount);
    },
    async reserve(scopes, amount) {
      if (!connection.healthy) return local.reserve(scopes, amount);
      try {
        return await sharedReserve(scopes, amount);
      } catch (error) {
        if (!(error instanceof RedisCallError)) throw error;
        degraded(error);
        return local.reserve(scopes, amount);
      }
    },
    async close() {
      await local.close();
    },
  };
}

/** A failed Redis call (store errors propagate as they are: the caller decides about those). */
class RedisCallError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause));
  }
}

function redisCall<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error) => {
    throw new RedisCallError(error);
  });
}
