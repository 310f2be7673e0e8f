import Redis, { type RedisOptions } from "ioredis";
import { log } from "../log.ts";

/**
 * One Redis connection that fails fast: no offline queue and short timeouts, so a dead Redis costs a request
 * milliseconds (and the caller falls back to local state) instead of stalling it. Reconnects forever.
 */
export interface RedisConnection {
  readonly client: Redis;
  /** True while connected and ready; callers use local state otherwise. */
  readonly healthy: boolean;
  /** Called with the new state each time it changes. */
  onChange(listener: (healthy: boolean) => void): void;
  /** Another connection to the same server (for pub/sub, which takes a connection over). */
  duplicate(name: string): RedisConnection;
  /** Readiness text: "ok" or "degraded: ..." (the gateway keeps serving either way). */
  status(): string;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  /** Shown in logs, e.g. "commands" or "subscriber". */
  name?: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** What the gateway does meanwhile, for logs and readiness. Default "using local limits and budgets". */
  degradedMeaning?: string;
}

export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const { url, name = "commands", connectTimeoutMs = 1_000, commandTimeoutMs = 500, degradedMeaning = "using local limits and budgets" } = options;
  const redisOptions: RedisOptions = {
    connectionName: `bedrock-gateway:${name}`,
    enableOfflineQueue: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    // Reconnect forever, backing off to one attempt per 2 s.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    lazyConnect: false,
  };
  const client = new Redis(url, redisOptions);
  const listeners: ((healthy: boolean) => void)[] = [];
  let healthy = false;
  let everReady = false;
  let closing = false;
  let lastError = "";

  const set = (next: boolean) => {
    if (next === healthy) return;
    healthy = next;
    if (next) {
      log.info(everReady ? `redis is back (${name}): sharing resumes` : `redis connected (${name})`, { redis: redactUrl(url) });
      everReady = true;
    } else if (!closing) {
      log.warn(`redis unavailable (${name}): ${degradedMeaning} until it returns`, { redis: redactUrl(url), error: lastError || undefined });
    }
    for (const listener of listeners) listener(next);
  };

  client.on("ready", () => set(true));
  client.on("close", () => set(false));
  client.on("end", () => set(false));
  client.on("error", (error: Error) => {
    // ioredis repeats the error on every reconnect attempt; the state change above is logged once.
    lastError = error.message;
  });

  return {
    client,
    get healthy() {
      return healthy;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    duplicate(other) {
      return connectRedis({ ...options, name: other });
    },
    status() {
      return healthy ? "ok" : `degraded: ${degradedMeaning}` + (lastError ? ` (${lastError})` : "");
    },
    async close() {
      closing = true;
      try {
        if (client.status === "ready") await client.quit();
        else client.disconnect();
      } catch {
        client.disconnect();
      }
    },
  };
}

/** Resolves once the connection is ready, or after `timeoutMs` (the gateway starts degraded rather than not at all). */
export function waitForRedis(connection: RedisConnection, timeoutMs: number): Promise<boolean> {
  if (connection.healthy) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    connection.onChange((healthy) => {
      if (!healthy) return;
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "redis://?";
  }
}
