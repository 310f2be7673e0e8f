import { readConfig } from "./config.ts";
import { bodyLimitsOf } from "./pipeline/read-body.ts";
import { assembleGateway } from "./compose/gateway.ts";
import { log } from "./log.ts";
import { serve } from "./runtime/serve.ts";
import { describeStartupError } from "./runtime/startup-errors.ts";
import { surviveStorageRejections } from "./runtime/storage-rejections.ts";
import { readTlsFiles } from "./runtime/tls-files.ts";

/** The runtime edge: environment in, gateway assembled, served on Bun or Deno, drained on SIGTERM. */
async function main() {
  surviveStorageRejections();
  // Listened for before anything starts: a SIGTERM that came before the handler was set killed the process outright
  // (seen once: the port was open, the handler not yet set). One during start-up is answered once serving.
  let received: string | null = null;
  let onSignal = (signal: string) => void (received ??= signal);
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

  const config = readConfig(process.env);
  const tls = readTlsFiles(process.env);
  const gateway = await assembleGateway(config);
  const server = await serve({ port: config.port, hostname: config.hostname, bodyLimits: bodyLimitsOf(config), fetch: gateway.app.fetch, tls, denoHttp2Front: config.denoHttp2Front });

  if (!config.masterKey) {
    log.warn(
      "OPEN MODE: no MASTER_KEY set. Any caller is accepted with any bearer, so the gateway listens on " +
        `${config.hostname} only. Set MASTER_KEY before exposing it.`,
    );
  }
  log.info(`bedrock gateway listening on ${server.protocol}://${server.hostname}:${server.port} (${server.runtime})`, {
    port: server.port,
    region: config.region,
    storage: gateway.storage,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceMs;
    log.info(`received ${signal}: no new connections; waiting up to ${graceMs} ms for ${gateway.inFlight()} call(s) in flight`);
    const deadline = Date.now() + graceMs;
    const stopped = server.stop();
    await gateway.drain(graceMs);
    await Promise.race([stopped, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    log.info("shutdown complete");
    log.flush();
    process.exit(0);
  };
  onSignal = (signal) => void shutdown(signal);
  if (received) onSignal(received);
}

main().catch(async (error) => {
  console.error(await describeStartupError(error, process.env));
  process.exit(1);
});
