import { BedrockAgentRuntimeClient, type BedrockAgentRuntimeClientConfig } from "@aws-sdk/client-bedrock-agent-runtime";
import type { GatewayCredentials } from "./auth-scheme.ts";
import { proxiedClient, type ProxiedClientOptions } from "./client-config.ts";

export type ProxiedBedrockAgentClientOptions = ProxiedClientOptions<BedrockAgentRuntimeClientConfig>;

/** A real BedrockAgentRuntimeClient (knowledge bases, agents, flows, sessions) that talks to the gateway. */
export function createProxiedBedrockAgentClient(
  credentials: GatewayCredentials,
  options: ProxiedBedrockAgentClientOptions = {},
): BedrockAgentRuntimeClient {
  return proxiedClient(BedrockAgentRuntimeClient, credentials, options, "createProxiedBedrockAgentClient");
}
