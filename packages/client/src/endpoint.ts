import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
export const DEFAULT_GATEWAY_ROOT = "http://localhost:4000";

// `process` is absent in browsers and some edge runtimes; the env fallback is a convenience, not a requirement.
function envProxyUrl(): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BEDROCK_PROXY_URL;
  return value && value.trim() !== "" ? value.trim() : undefined;
}

// The SDK appends `/model/...` to the endpoint verbatim, so a trailing slash would produce `//model/...`.
function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

function validated(url: string): string {
  // Fail at construction with the offending value rather than at the first request with a vague error.
  try {
    new URL(url);
  } catch {
    throw new TypeError(`Bedrock Gateway: invalid base URL ${JSON.stringify(url)}`);
  }
  return url;
}

/** Endpoint for the AWS SDK clients: the gateway's `/bedrock` prefix. */
export function resolveBedrockEndpoint(baseUrl?: string): string {
  return validated(trimSlashes(baseUrl ?? envProxyUrl() ?? DEFAULT_GATEWAY_ROOT + BEDROCK_PREFIX));
}

/** Gateway root for the admin API: BEDROCK_PROXY_URL names the `/bedrock` prefix, so strip it. */
export function resolveGatewayRoot(baseUrl?: string): string {
  if (baseUrl !== undefined) return validated(trimSlashes(baseUrl));
  const fromEnv = envProxyUrl();
  if (fromEnv === undefined) return DEFAULT_GATEWAY_ROOT;
  const trimmed = trimSlashes(fromEnv);
  return validated(trimmed.endsWith(BEDROCK_PREFIX) ? trimmed.slice(0, -BEDROCK_PREFIX.length) : trimmed);
}
