import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import type { GatewayCredentials } from "./auth-scheme.ts";
import { proxiedClient, type ProxiedClientOptions } from "./client-config.ts";

export type ProxiedBedrockClientOptions = ProxiedClientOptions<BedrockRuntimeClientConfig>;

/** A real BedrockRuntimeClient that talks to the gateway: use it with the SDK's own commands. */
export function createProxiedBedrockClient(
  credentials: GatewayCredentials,
  options: ProxiedBedrockClientOptions = {},
): BedrockRuntimeClient {
  return proxiedClient(BedrockRuntimeClient, credentials, options, "createProxiedBedrockClient");
}
