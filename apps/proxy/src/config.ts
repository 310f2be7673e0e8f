/** Environment → typed configuration, validated once at start. */
export interface GatewayConfig {
  port: number;
  hostname: string;
  /** Absent: local trial mode (loopback only, any bearer accepted). */
  masterKey: string | null;
  region: string;
  endpoints: { runtime: string | null; agentRuntime: string | null };
  databaseUrl: string;
  redisUrl: string | null;
  maxRequestBodyBytes: number;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function readConfig(env: Env): GatewayConfig {
  const masterKey = nonEmpty(env.MASTER_KEY) ?? nonEmpty(env.LITELLM_MASTER_KEY);
  const port = env.PORT ? Number(env.PORT) : 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0-65535, got ${env.PORT}`);
  const shared = nonEmpty(env.AWS_ENDPOINT_URL);
  return {
    port,
    // Without a master key anyone could spend the account's money, so only this machine may connect.
    hostname: nonEmpty(env.HOST) ?? (masterKey ? "0.0.0.0" : "127.0.0.1"),
    masterKey,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_REGION_NAME) ?? "us-east-1",
    endpoints: {
      runtime: endpointUrl(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) ?? endpointUrl(shared),
      agentRuntime: endpointUrl(env.AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME) ?? endpointUrl(shared),
    },
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? "sqlite:./data/gateway.sqlite",
    redisUrl: nonEmpty(env.REDIS_URL),
    maxRequestBodyBytes: env.MAX_REQUEST_BODY_MB ? Number(env.MAX_REQUEST_BODY_MB) * 1024 * 1024 : 128 * 1024 * 1024,
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value && value.trim() !== "" ? value.trim() : null;
}

function endpointUrl(value: string | undefined | null): string | null {
  const v = nonEmpty(value ?? undefined);
  if (!v) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`not a URL: ${v}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`endpoint must be http(s): ${v}`);
  return v.replace(/\/+$/, "");
}
