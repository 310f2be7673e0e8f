import { NodeHttpHandler } from "@smithy/node-http-handler";
import { authConfig, checkedCredentials, type GatewayCredentials } from "./auth-scheme.ts";
import { resolveBedrockEndpoint } from "./endpoint.ts";
import { addBedrockRegionHeader } from "./region-header.ts";
import type { StackLike } from "./sdk-stack.ts";
import { addGatewayErrorHints } from "./gateway-errors.ts";

export const DEFAULT_SIGNING_REGION = "us-east-1";

/** Gateway-specific options; every other SDK client option passes through untouched. */
export interface GatewayClientOptions {
  /**
   * The gateway's URL, with or without `/bedrock`: `https://gw.example.com` and `https://gw.example.com/bedrock/`
   * name the same gateway; one mounted under a path (`https://corp.example.com/gw`) keeps it.
   * Default: env BEDROCK_PROXY_URL, else http://localhost:4000.
   */
  baseUrl?: string;
  /** Region the SDK signs for. The gateway accepts any; default us-east-1. */
  region?: string;
  /** Upstream AWS region to ask the gateway for (sent as `x-bedrock-region`). Default: the gateway's region. */
  bedrockRegion?: string;
}

/** SDK config minus what the gateway owns (where requests go and how they authenticate). */
export type ProxiedClientOptions<Config> = Omit<
  Config,
  "endpoint" | "region" | "credentials" | "httpAuthSchemes" | "httpAuthSchemeProvider" | "token"
> &
  GatewayClientOptions;

/** Builds the config shared by both Bedrock clients; `caller` names the factory in argument errors. */
function proxiedClientConfig<Config extends object>(
  credentials: GatewayCredentials,
  options: ProxiedClientOptions<Config>,
  caller: string,
) {
  const auth = authConfig(checkedCredentials(credentials, caller));
  if (options === null || typeof options !== "object") throw new TypeError(`${caller}: the second argument (options) must be an object`);
  const { baseUrl, region, bedrockRegion: _bedrockRegion, ...passthrough } = options;
  const requestHandler = (passthrough as { requestHandler?: unknown }).requestHandler;
  return {
    ...passthrough,
    endpoint: resolveBedrockEndpoint(baseUrl),
    region: region ?? DEFAULT_SIGNING_REGION,
    // HTTP/1.1 although the gateway also speaks HTTP/2: one call at a time it is faster (bench/tools/client-transport.ts:
    // p50 1.97 vs 2.43 ms, 349 vs 261 calls/s), and it works through any front proxy. Many calls at once from one
    // client spend less CPU over HTTP/2 (pass `requestHandler: new NodeHttp2Handler()`); see bench/README.md.
    requestHandler: requestHandler ?? new NodeHttpHandler(),
    ...auth,
  };
}

/**
 * A real SDK client of `Client`'s class (either Bedrock client) that talks to the gateway: the proxied config, then the
 * gateway's middleware. `caller` names the factory in argument errors.
 */
export function proxiedClient<Config extends object, Client extends { middlewareStack: StackLike }>(
  ClientClass: new (config: Config) => Client,
  credentials: GatewayCredentials,
  options: ProxiedClientOptions<Config>,
  caller: string,
): Client {
  const config = proxiedClientConfig<Config>(credentials, options, caller);
  const client = new ClientClass(config as unknown as Config);
  addBedrockRegionHeader(client.middlewareStack, options.bedrockRegion);
  addGatewayErrorHints(client.middlewareStack, config.endpoint);
  return client;
}
