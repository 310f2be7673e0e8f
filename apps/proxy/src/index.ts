import "./runtime/bun-fetch-limit.ts";
import { createApp } from "./app.ts";
import { ConfigError, readConfig } from "./config.ts";
import { setupVirtualKeys } from "./keys/setup.ts";
import { gatewayCredentials } from "./runtime/credentials.ts";
import { serve } from "./runtime/serve.ts";
import { openStore } from "./store/open-store.ts";
import { log } from "./log.ts";
import { limitsPlugin } from "./limits/plugin.ts";
import { budgetLedgerFor, openSharedState } from "./redis/shared-state.ts";
import { inFlightCalls } from "./runtime/in-flight.ts";
import { readSpendConfig } from "./spend/config.ts";
import { setupSpend } from "./spend/setup.ts";

async function main() {
  const config = readConfig(process.env);
  const store = await openStore(config.databaseUrl);
  const shared = await openSharedState(config);
  // With REDIS_URL, budget counters are shared by every instance (Redis, in-process while it is down).
  const spend = setupSpend({ store, config: readSpendConfig(process.env), masterKey: config.masterKey, ledger: budgetLedgerFor(shared, store) });
  const keys = await setupVirtualKeys({ store, masterKey: config.masterKey, secretKey: config.secretKey, invalidation: shared.invalidation, keySpend: spend.keySpend });
  const inFlight = inFlightCalls();
  const limits = limitsPlugin({
    limiter: shared.limiter,
    modelLimits: config.modelLimits,
    entityLimits: async (kind, id) => {
      const row = await store.getBudgetEntity(kind, id);
      return row && { rpmLimit: row.rpmLimit, tpmLimit: row.tpmLimit };
    },
  });
  const app = createApp({
    config,
    credentials: gatewayCredentials(),
    lookupVirtual: keys.lookupVirtual,
    gatewaySigV4: keys.gatewaySigV4,
    // In-flight first (shutdown waits for every admitted call); limits after the allow-list.
    // Budgets before limits: a call over budget does not use up rate-limit capacity.
    plugins: [inFlight.plugin, keys.allowList, spend.plugin, limits],
    onUnadmitted: spend.recordUnadmitted,
    readiness: { storage: () => storageReadiness(store), ...shared.readiness, spend_queue: spend.readiness },
    extensions: [keys.routes, ...spend.routes(keys.cache)],
  });
  const server = await serve({ port: config.port, hostname: config.hostname, maxRequestBodyBytes: config.maxRequestBodyBytes, fetch: app.fetch });

  if (!config.masterKey) {
    log.warn(
      "OPEN MODE: no MASTER_KEY set. Any caller is accepted with any bearer, so the gateway listens on " +
        `${config.hostname} only. Set MASTER_KEY before exposing it.`,
    );
  }
  log.info(`bedrock gateway listening on http://${server.hostname}:${server.port} (${server.runtime})`, {
    port: server.port,
    region: config.region,
    storage: store.driver,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceMs;
    log.info(`received ${signal}: no new connections; waiting up to ${graceMs} ms for ${inFlight.count()} call(s) in flight`);
    const deadline = Date.now() + graceMs;
    const stopped = server.stop();
    const drained = await inFlight.idle(graceMs);
    await Promise.race([stopped, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    if (!drained) log.warn(`shutdown grace of ${graceMs} ms over: ${inFlight.count()} call(s) cut`);
    await limits.flush();
    // Settles finished calls and writes every queued spend row before the store closes.
    await spend.close();
    await keys.close();
    await shared.close();
    await store.close();
    log.info("shutdown complete");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/**
 * A database outage degrades the gateway rather than stopping it (cached keys keep working, spend rows queue),
 * so it must not take every instance out of a load balancer's rotation at once.
 */
async function storageReadiness(store: { ping(): Promise<void> }): Promise<string> {
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2_000)));
    await Promise.race([store.ping(), timeout]).finally(() => clearTimeout(timer));
    return "ok";
  } catch (error) {
    return `degraded: unreachable (${error instanceof Error ? error.message : String(error)}); serving cached keys, queueing spend rows`;
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
