import { BedrockAgentRuntimeClient, type BedrockAgentRuntimeClientConfig } from "@aws-sdk/client-bedrock-agent-runtime";
import type { GatewayCredentials } from "./auth-scheme.ts";
import { proxiedClientConfig, type ProxiedClientOptions } from "./client-config.ts";
import { addBedrockRegionHeader } from "./region-header.ts";

export type ProxiedBedrockAgentClientOptions = ProxiedClientOptions<BedrockAgentRuntimeClientConfig>;

/** A real BedrockAgentRuntimeClient (knowledge bases, agents, flows, sessions) that talks to the gateway. */
export function createProxiedBedrockAgentClient(
  credentials: GatewayCredentials,
  options: ProxiedBedrockAgentClientOptions = {},
): BedrockAgentRuntimeClient {
  const client = new BedrockAgentRuntimeClient(
    proxiedClientConfig<BedrockAgentRuntimeClientConfig>(credentials, options) as BedrockAgentRuntimeClientConfig,
  );
  addBedrockRegionHeader(client.middlewareStack, options.bedrockRegion);
  return client;
}
