import { createApp } from "./app.ts";
import { ConfigError, readConfig } from "./config.ts";
import { gatewayCredentials } from "./runtime/credentials.ts";
import { serve } from "./runtime/serve.ts";
import { log } from "./log.ts";

async function main() {
  const config = readConfig(process.env);
  const app = createApp({ config, credentials: gatewayCredentials() });
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
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, shutting down`);
    await server.stop();
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
