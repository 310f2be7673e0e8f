import type { BedrockService } from "@bedrock-gateway/api-types";
import type { GatewayConfig } from "../config.ts";

export function upstreamOrigin(config: GatewayConfig, service: BedrockService, region: string): string {
  const override = service === "bedrock-runtime" ? config.endpoints.runtime : service === "bedrock" ? config.endpoints.bedrock : config.endpoints.agentRuntime;
  return override ?? `https://${service}.${region}.${dnsSuffixOf(region)}`;
}

/** Each AWS partition has its own domain: China's regions are not reachable (nor signed for) under amazonaws.com. */
export function dnsSuffixOf(region: string): string {
  if (region.startsWith("cn-")) return "amazonaws.com.cn";
  if (region.startsWith("us-isob-")) return "sc2s.sgov.gov";
  if (region.startsWith("us-iso-")) return "c2s.ic.gov";
  return "amazonaws.com";
}
