export { createProxiedBedrockClient, type ProxiedBedrockClientOptions } from "./runtime-client.ts";
export { createProxiedBedrockAgentClient, type ProxiedBedrockAgentClientOptions } from "./agent-client.ts";
export {
  createGatewayAdminClient,
  type GatewayAdminClient,
  type GatewayAdminClientOptions,
} from "./admin-client.ts";
export { GATEWAY_AUTH_SCHEME_ID, gatewayBearerAuth, type GatewayCredentials } from "./auth-scheme.ts";
export { BEDROCK_REGION_HEADER } from "./region-header.ts";
export { DEFAULT_SIGNING_REGION, type GatewayClientOptions, type ProxiedClientOptions } from "./client-config.ts";
export { DEFAULT_GATEWAY_ROOT, resolveBedrockEndpoint, resolveGatewayRoot } from "./endpoint.ts";
export { GatewayAddressError, GatewayUnreachableError } from "./gateway-errors.ts";
export type {
  paths as GatewayPaths,
  GenerateKeyRequest,
  UpdateKeyRequest,
  RegenerateKeyRequest,
  KeyResponse,
  KeyInfo,
  KeyInfoResponse,
  KeyListResponse,
  DeleteKeysRequest,
  DeleteKeysResponse,
  SpendLog,
  SpendLogsResponse,
  UserInfo,
  EndUserInfo,
  Readiness,
  AdminError,
} from "@bedrock-gateway/api-types";
