import { createApp, type GatewayApp } from "./app.ts";
import type { GatewayConfig } from "../config.ts";
import { setupVirtualKeys } from "./keys.ts";
import { limitsStep } from "../limits/limits-step.ts";
import { regionPolicyStep } from "../policy/region-policy.ts";
import { createBreakers } from "../failover/breakers.ts";
import { failoverMetrics } from "../failover/failover-metrics.ts";
import { log } from "../log.ts";
import { budgetLedgerFor, openSharedState } from "./shared-state.ts";
import { controlPlaneClient } from "../resolve/control-plane.ts";
import { modelResolver } from "../resolve/model-resolver.ts";
import { gatewayCredentials } from "../runtime/credentials.ts";
import { inFlightCalls } from "../pipeline/in-flight.ts";
import { bodyLimitsOf } from "../pipeline/read-body.ts";
import { setupSpend } from "./spend.ts";
import { openStore } from "../store/open-store.ts";
import type { Store } from "../store/types.ts";
import { errorMessage } from "../error-message.ts";
import { withTimeout } from "../with-timeout.ts";
import { composeAdminApi, composeUiAdminApi } from "./admin.ts";
import type { ReadinessChecks } from "../admin/health.ts";
import { createSessionStore } from "../ui/sessions.ts";
import { withAdminUi } from "../ui/admin-ui.ts";
import { instanceInfo } from "../runtime/instance-info.ts";

export interface Gateway {
  app: GatewayApp;
  storage: Store["driver"];
  /** Waits up to `graceMs` for admitted calls (streams included) to end, then flushes and closes everything. */
  drain(graceMs: number): Promise<void>;
  inFlight(): number;
}

/**
 * The composition root: storage, shared state (Redis), keys, spend, limits, and the app that uses them.
 * Step order matters. Admission: in-flight first (shutdown waits for every admitted call); the allow-list before
 * anything that counts; the region policy before anything counted per region (and before budgets and limits count
 * a call it refuses after reading a region-bound key's body for the models it names); budgets before rate limits, so a call over budget uses up no rate-limit capacity.
 * Record: the price before the spend row that carries it, the row before the access log that prints it, and
 * in-flight last, so shutdown waits until every call is recorded.
 */
export async function assembleGateway(config: GatewayConfig): Promise<Gateway> {
  const store = await openStore(config.databaseUrl);
  const shared = await openSharedState(config);
  const credentials = gatewayCredentials();
  const resolver = modelResolver({ client: controlPlaneClient({ credentials, endpoints: config.endpoints }) });
  // With REDIS_URL, budget counters are shared by every instance (Redis, in-process while it is down).
  const spend = setupSpend({ store, config: config.spend, cacheTtlMs: config.cacheTtlMs, masterKey: config.masterKey, ledger: budgetLedgerFor(shared, store), resolver });
  const keys = await setupVirtualKeys({ store, cacheTtlMs: config.cacheTtlMs, staleIfErrorMs: config.staleIfErrorMs, secretKey: config.secretKey, invalidation: shared.invalidation });
  const readiness: ReadinessChecks = {
    credentials: async () => void (await credentials()),
    storage: () => storageReadiness(store),
    ...shared.readiness,
    spend_queue: spend.readiness,
  };
  const adminParts = {
    masterKey: config.masterKey,
    cache: keys.cache,
    keys: { keys: keys.service, keySpend: spend.keySpend },
    spend: { store, ledger: spend.ledger, scopes: spend.scopes },
    aggregates: { store, instance: instanceInfo() },
  };
  // The admin page's sessions live in the database, so every instance knows them.
  const sessions = createSessionStore({ ttlMs: config.uiSessionTtlSeconds * 1000, store });
  const inFlight = inFlightCalls();
  // Said at start, not first discovered by a caller's failed request; the gateway still starts (readiness says so).
  credentials().catch((error) =>
    log.warn("AWS credentials could not be resolved; /bedrock calls will fail until they can", { error: errorMessage(error) }),
  );
  const limits = limitsStep({
    limiter: shared.limiter,
    modelLimits: config.modelLimits,
    entityLimits: spend.entities.get,
  });
  const regionPolicy = regionPolicyStep({
    team: (id) => spend.entities.get("team", id),
    failover: config.failover,
    profiles: { reach: resolver.profileReach },
    agentModel: resolver.agentFoundationModel,
    body: bodyLimitsOf(config),
  });
  // Per instance: each learns a region's trouble from its own calls (README, Failover).
  const breakers = createBreakers({ failures: config.failover.breakerFailures, cooldownMs: config.failover.breakerCooldownMs });
  const app = createApp({
    config,
    credentials,
    lookupToken: keys.lookupToken,
    gatewaySigV4: keys.gatewaySigV4,
    steps: {
      admit: [inFlight.step, keys.allowList, regionPolicy, spend.steps.budget, limits, spend.steps.modelLookup],
      // Budgets before tokens, as at admission: a call over budget uses up no token capacity.
      reserve: [spend.steps.budget, limits],
      tap: [spend.steps.spendRow],
      record: [spend.steps.price, spend.steps.spendRow, limits, spend.steps.metrics, spend.steps.accessLog, inFlight.step],
    },
    onUnadmitted: spend.steps.metrics.unadmitted,
    failover: { breakers, metrics: failoverMetrics(spend.metrics.registry, breakers), enterRegion: limits.enterRegion, admitTarget: regionPolicy.admitTarget },
    readiness,
    admin: [composeAdminApi(adminParts), composeUiAdminApi({ ...adminParts, sessions, readiness })],
    metrics: spend.metricsRoute,
  });

  return {
    app: withAdminUi(app, { masterKey: config.masterKey, sessions, sessionTtlSeconds: config.uiSessionTtlSeconds }),
    storage: store.driver,
    inFlight: () => inFlight.count(),
    async drain(graceMs) {
      if (!(await inFlight.idle(graceMs))) log.warn(`shutdown grace of ${graceMs} ms over: ${inFlight.count()} call(s) cut`);
      await limits.flush();
      // Settles finished calls and writes every queued spend row before the store closes.
      await spend.close();
      await keys.close();
      await shared.close();
      await store.close();
    },
  };
}

/**
 * A database outage degrades the gateway rather than stopping it (cached keys keep working, spend rows queue),
 * so it must not take every instance out of a load balancer's rotation at once.
 */
async function storageReadiness(store: Store): Promise<string> {
  try {
    await withTimeout(store.ping(), 2_000);
    return "ok";
  } catch (error) {
    return `degraded: unreachable (${errorMessage(error)}); serving cached keys, queueing spend rows`;
  }
}
