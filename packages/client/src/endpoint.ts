import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
export const DEFAULT_GATEWAY_ROOT = "http://localhost:4000";

// `process` is absent in browsers and some edge runtimes; the env fallback is a convenience, not a requirement.
function envProxyUrl(): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BEDROCK_PROXY_URL;
  return value && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The gateway root, whichever form the caller gave: `https://gw`, `https://gw/`, `https://gw/bedrock` and
 * `https://gw/bedrock/` all name the same gateway (a gateway mounted under a path, `https://corp/gw`, keeps it).
 * Fails at construction with the offending value rather than at the first request with a vague error.
 */
function gatewayRoot(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(`Bedrock Gateway: ${source} is not a URL: ${JSON.stringify(url)} (expected e.g. "http://localhost:4000")`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`Bedrock Gateway: ${source} must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.search || parsed.hash) {
    throw new TypeError(`Bedrock Gateway: ${source} must not carry a query or fragment, got ${JSON.stringify(url)}`);
  }
  // The SDK appends `/model/...` to the endpoint verbatim, so a trailing slash would produce `//model/...`.
  const path = parsed.pathname.replace(/\/+$/, "");
  const root = path.endsWith(BEDROCK_PREFIX) ? path.slice(0, -BEDROCK_PREFIX.length) : path;
  return `${parsed.origin}${root}`;
}

function configured(baseUrl: string | undefined): string {
  if (baseUrl !== undefined) return gatewayRoot(baseUrl, "baseUrl");
  const fromEnv = envProxyUrl();
  return fromEnv === undefined ? DEFAULT_GATEWAY_ROOT : gatewayRoot(fromEnv, "BEDROCK_PROXY_URL");
}

/** Endpoint for the AWS SDK clients: the gateway's `/bedrock` prefix, added when the URL given lacks it. */
export function resolveBedrockEndpoint(baseUrl?: string): string {
  return configured(baseUrl) + BEDROCK_PREFIX;
}

/** Gateway root for the admin API: the same URL without `/bedrock`. */
export function resolveGatewayRoot(baseUrl?: string): string {
  return configured(baseUrl);
}
