import type { BedrockService } from "@bedrock-gateway/api-types";
import type { GatewayConfig } from "../config.ts";

export function upstreamOrigin(config: GatewayConfig, service: BedrockService, region: string): string {
  const override = service === "bedrock-runtime" ? config.endpoints.runtime : service === "bedrock" ? config.endpoints.bedrock : config.endpoints.agentRuntime;
  return override ?? `https://${service}.${region}.amazonaws.com`;
}
