import { log } from "../log.ts";
import { createGatewayMetrics } from "../metrics/gateway-metrics.ts";
import { metricsRoutes } from "../admin/metrics.ts";
import { callPricer } from "../pricing/call-pricer.ts";
import { loadPriceTable, PriceTableError } from "../pricing/index.ts";
import type { ModelResolver } from "../resolve/model-resolver.ts";
import { ConfigError } from "../config.ts";
import type { KeyRow } from "../store/types.ts";
import type { Store } from "../store/types.ts";
import { cachedBudgetEntities } from "../cache/budget-entities.ts";
import { createScopeResolver } from "../spend/budget-scopes.ts";
import type { SpendConfig } from "../config.ts";
import { localBudgetLedger, type BudgetLedger } from "../spend/ledger.ts";
import { createSpendLogWriter } from "../spend/log-writer.ts";
import { openSpendJournal } from "../spend/journal.ts";
import { accessLogStep } from "../spend/access-log-step.ts";
import { budgetStep } from "../spend/budget-step.ts";
import { modelLookupStep, priceStep } from "../spend/price-step.ts";
import { spendRowStep } from "../spend/spend-row-step.ts";
import { metricsStep } from "../metrics/metrics-step.ts";
import { errorMessage } from "../error-message.ts";

export interface SpendSetupOptions {
  store: Store;
  config: SpendConfig;
  /** KEY_CACHE_TTL_MS: users, teams and end users are cached as keys are. */
  cacheTtlMs?: number;
  masterKey: string | null;
  /** A shared ledger (Redis) for several instances; default: in-process. */
  ledger?: BudgetLedger;
  /** Asks Bedrock's control planes which model an application inference profile or agent runs; none: those stay unpriced. */
  resolver?: ModelResolver;
}

/**
 * Everything spend adds to the gateway: the ledger, the batched log writer, the budget, price, spend-row, metrics
 * and access-log steps of a call, budget-window resets, and the `/metrics` route. Close order on shutdown: stop the server, then `close()` (settles calls, flushes rows),
 * then close the store.
 */
export function setupSpend(options: SpendSetupOptions) {
  const { store, config, masterKey } = options;
  let prices;
  try {
    prices = loadPriceTable({ overridePath: config.priceTablePath });
  } catch (error) {
    if (error instanceof PriceTableError) throw new ConfigError(error.message);
    throw error;
  }

  let resetting: Promise<unknown> | null = null;
  const resetBudgets = () => {
    resetting ??= store
      .resetExpiredBudgets(new Date())
      .catch((error) => log.error("budget reset failed", { error: errorMessage(error) }))
      .finally(() => (resetting = null));
    return resetting;
  };
  const ledger = options.ledger ?? localBudgetLedger(store, { onWindowEnd: () => void resetBudgets() });
  const writer = createSpendLogWriter({
    insert: (rows) => store.insertSpendLogs(rows),
    intervalMs: config.flushIntervalMs,
    batchSize: config.batchSize,
    maxQueue: config.maxQueue,
    journal: config.journalDir ? openSpendJournal(config.journalDir) : undefined,
  });
  const metrics = createGatewayMetrics();
  metrics.gauge("bedrock_gateway_spend_queue_depth", "Spend log rows waiting to be written to the store.", writer.depth);
  metrics.gauge("bedrock_gateway_spend_rows_dropped_total", "Spend log rows dropped because the queue was full.", writer.dropped);
  metrics.gauge("bedrock_gateway_spend_rows_quarantined_total", "Spend log rows the store refused, stored repaired (clamped numbers, replaced text).", writer.quarantined);
  metrics.gauge("bedrock_gateway_spend_rows_rejected_total", "Spend log rows the store refused even repaired (logged, not stored).", writer.rejected);
  // Users, teams and end users, cached once for budgets here and rate limits (which the gateway wires to them too).
  const entities = cachedBudgetEntities((kind, id) => store.getBudgetEntity(kind, id), { ttlMs: options.cacheTtlMs });
  const scopes = createScopeResolver(entities);
  const spendRow = spendRowStep({ ledger, scopes, writer, storeBodies: config.storeBodies });
  const pricer = callPricer(prices, options.resolver ?? null);
  const steps = {
    budget: budgetStep({ ledger, scopes, prices }),
    modelLookup: modelLookupStep(pricer),
    price: priceStep(pricer),
    spendRow,
    metrics: metricsStep(metrics),
    accessLog: accessLogStep(),
  };

  void resetBudgets();
  const timer = setInterval(() => void resetBudgets(), config.budgetResetIntervalMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    steps,
    entities,
    metrics,
    ledger,
    prices,
    /** /key/info's spend: the ledger's running total for the key, unflushed calls included. */
    keySpend: (row: KeyRow) =>
      ledger.spent({ kind: "key", id: row.token, maxBudget: row.maxBudget, budgetDuration: row.budgetDuration, budgetResetAt: row.budgetResetAt }),
    /** Cached user, team and end-user scopes: the admin API drops an entity's after changing it. */
    scopes,
    metricsRoute: metricsRoutes({ registry: metrics.registry, requireAuth: config.metricsRequireAuth, masterKey }),
    /** Readiness: rows waiting for the store; not ready when the queue is nearly full (the store is failing). */
    readiness: async () => {
      const depth = writer.depth();
      if (depth > config.maxQueue * 0.9) throw new Error(`${depth} spend rows queued (max ${config.maxQueue}): the store is not keeping up`);
      if (writer.failing()) return `degraded: ${depth} spend rows waiting for the store to accept them${config.journalDir ? " (journaled to disk)" : ""}`;
      return `ok (${depth} spend rows queued)`;
    },
    async close() {
      clearInterval(timer);
      await spendRow.drain();
      await writer.close();
      await resetting;
      await ledger.close();
    },
  };
}
