import type { BedrockService } from "@bedrock-gateway/api-types";
import type { GatewayConfig } from "../config.ts";

// Only a value shaped like a real region may reach a hostname: anything else could point the signed request elsewhere.
const regionShape = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function isRegion(value: string): boolean {
  return regionShape.test(value);
}

export function upstreamOrigin(config: GatewayConfig, service: BedrockService, region: string): string {
  const override = service === "bedrock-runtime" ? config.endpoints.runtime : config.endpoints.agentRuntime;
  return override ?? `https://${service}.${region}.${dnsSuffixOf(region)}`;
}

/** Each AWS partition has its own domain: China's regions are not reachable (nor signed for) under amazonaws.com. */
export function dnsSuffixOf(region: string): string {
  if (region.startsWith("cn-")) return "amazonaws.com.cn";
  if (region.startsWith("us-isob-")) return "sc2s.sgov.gov";
  if (region.startsWith("us-iso-")) return "c2s.ic.gov";
  return "amazonaws.com";
}
