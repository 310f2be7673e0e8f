import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ConfigError, readConfig } from "../config.ts";
import { errorMessage } from "../error-message.ts";

type Env = Record<string, string | undefined>;

/**
 * What an operator reads when the gateway cannot start: one line naming the setting and what to do, instead of
 * a runtime's stack trace or source excerpt. Bun and Deno word listen failures differently; both are covered.
 */
export async function describeStartupError(error: unknown, env: Env): Promise<string> {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : "";
  const message = errorMessage(error);
  const listening = listenTarget(env);

  if (code === "EADDRINUSE" || name === "AddrInUse") {
    return `PORT=${listening.port}: the port is already in use on ${listening.host}. Stop the process using it, or set PORT to a free port.`;
  }
  if (code === "EACCES" && listening.port < 1024) {
    return `PORT=${listening.port}: ports below 1024 need privileges. Set PORT to 1024 or above (the default is 4000).`;
  }
  const badHost =
    (["EINVAL", "EADDRNOTAVAIL", "ENOENT", "ENOTFOUND", "EAI_AGAIN"].includes(String(code)) && (error as { syscall?: unknown }).syscall === "listen") ||
    name === "AddrNotAvailable" ||
    /failed to lookup address information|Cannot assign requested address/i.test(message);
  if (badHost) {
    const advice = "Set HOST to an address of this machine: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).";
    // Bun says EINVAL for a name that does not resolve; asking the resolver tells that apart from a foreign address.
    const unresolved = await resolutionFailure(listening.host);
    if (unresolved) return `HOST=${listening.host}: the name cannot be resolved (${unresolved}). ${advice}`;
    return `HOST=${listening.host}: cannot listen on that address (${typeof code === "string" ? code : message}). ${advice}`;
  }
  return `start-up failed: ${message}`;
}

function listenTarget(env: Env): { host: string; port: number } {
  try {
    const config = readConfig(env);
    return { host: config.hostname, port: config.port };
  } catch {
    return { host: env.HOST ?? "?", port: Number(env.PORT ?? 4000) };
  }
}

/** The resolver's error code when `host` is a name that does not resolve; null for an address or a name that does. */
async function resolutionFailure(host: string): Promise<string | null> {
  if (isIP(host) !== 0) return null;
  try {
    await lookup(host);
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code ?? errorMessage(error));
  }
}
