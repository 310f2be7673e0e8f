import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import type { GatewayCredentials } from "./auth-scheme.ts";
import { addGatewayMiddleware, proxiedClientConfig, type ProxiedClientOptions } from "./client-config.ts";

export type ProxiedBedrockClientOptions = ProxiedClientOptions<BedrockRuntimeClientConfig>;

/** A real BedrockRuntimeClient that talks to the gateway: use it with the SDK's own commands. */
export function createProxiedBedrockClient(
  credentials: GatewayCredentials,
  options: ProxiedBedrockClientOptions = {},
): BedrockRuntimeClient {
  const config = proxiedClientConfig<BedrockRuntimeClientConfig>(credentials, options, "createProxiedBedrockClient");
  const client = new BedrockRuntimeClient(config as BedrockRuntimeClientConfig);
  addGatewayMiddleware(client.middlewareStack, config.endpoint, options.bedrockRegion);
  return client;
}
