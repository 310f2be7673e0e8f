import { createApp } from "./app.ts";
import { ConfigError, readConfig } from "./config.ts";
import { setupVirtualKeys } from "./keys/setup.ts";
import { gatewayCredentials } from "./runtime/credentials.ts";
import { serve } from "./runtime/serve.ts";
import { openStore } from "./store/open-store.ts";
import { log } from "./log.ts";

async function main() {
  const config = readConfig(process.env);
  const store = await openStore(config.databaseUrl);
  const keys = await setupVirtualKeys({ store, masterKey: config.masterKey });
  const app = createApp({
    config,
    credentials: gatewayCredentials(),
    lookupVirtual: keys.lookupVirtual,
    plugins: [keys.allowList],
    readiness: { storage: () => store.ping() },
    extensions: [keys.routes],
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
    log.info(`received ${signal}, shutting down`);
    await server.stop();
    await keys.close();
    await store.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
