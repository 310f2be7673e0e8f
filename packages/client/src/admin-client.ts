import * as openapiFetch from "openapi-fetch";
import type { Client } from "openapi-fetch";
import type createClientFn from "openapi-fetch";
import type { paths } from "@bedrock-gateway/api-types";
import { resolveGatewayRoot } from "./endpoint.ts";
import { fetchNamingGateway } from "./gateway-errors.ts";

// openapi-fetch's CJS build sets `exports.default`; in our CJS bundle Node-style interop makes the default import
// that whole exports object, so `import createClient from` breaks under require(). Accept both shapes.
type CreateClient = typeof createClientFn;
const fetchModule = openapiFetch as unknown as { default: CreateClient | { default: CreateClient } };
const createClient: CreateClient = typeof fetchModule.default === "function" ? fetchModule.default : fetchModule.default.default;

export interface GatewayAdminClientOptions {
  /** Gateway root (no `/bedrock`). Default: env BEDROCK_PROXY_URL minus `/bedrock`, else http://localhost:4000. */
  baseUrl?: string;
  /** Replaces the global fetch (called with one Request, as openapi-fetch does). */
  fetch?: (request: Request) => Promise<Response>;
}

export type GatewayAdminClient = Client<paths>;

/**
 * Typed client for the admin API (`/key/*`, `/spend/logs`, ...), checked against openapi/gateway.yaml.
 * Use the master key for key management; a virtual key can read its own `/key/info` and `/spend/logs`.
 */
export function createGatewayAdminClient(masterOrKey: string, options: GatewayAdminClientOptions = {}): GatewayAdminClient {
  if (typeof masterOrKey !== "string" || masterOrKey.trim() === "") {
    const what = typeof masterOrKey === "string" ? "an empty string" : String(masterOrKey);
    throw new TypeError(
      `createGatewayAdminClient: the first argument (the master key or a virtual key) is ${what} ` +
        "(is the environment variable you read it from, e.g. MASTER_KEY, set?)",
    );
  }
  const baseUrl = resolveGatewayRoot(options.baseUrl);
  return createClient<paths>({
    baseUrl,
    // Bind lazily: a custom fetch may be installed after construction (tests, polyfills).
    fetch: fetchNamingGateway(baseUrl, options.fetch ?? ((request: Request) => globalThis.fetch(request))),
    headers: { Authorization: `Bearer ${masterOrKey}` },
  });
}
