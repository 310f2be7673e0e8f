import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import type { GatewayCredentials } from "./auth-scheme.ts";
import { proxiedClientConfig, type ProxiedClientOptions } from "./client-config.ts";
import { addBedrockRegionHeader } from "./region-header.ts";

export type ProxiedBedrockClientOptions = ProxiedClientOptions<BedrockRuntimeClientConfig>;

/** A real BedrockRuntimeClient that talks to the gateway: use it with the SDK's own commands. */
export function createProxiedBedrockClient(
  credentials: GatewayCredentials,
  options: ProxiedBedrockClientOptions = {},
): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient(proxiedClientConfig<BedrockRuntimeClientConfig>(credentials, options) as BedrockRuntimeClientConfig);
  addBedrockRegionHeader(client.middlewareStack, options.bedrockRegion);
  return client;
}
