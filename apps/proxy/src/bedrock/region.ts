import type { BedrockService } from "@bedrock-gateway/api-types";
import type { GatewayConfig } from "../config.ts";

/**
 * Where a call to `service` in `region` goes: GATEWAY_FAILOVER's per-region endpoint, else the AWS_ENDPOINT_URL_*
 * override (its `{region}` placeholder filled in), else the regional AWS host.
 */
export function upstreamOrigin(config: GatewayConfig, service: BedrockService, region: string): string {
  // The per-region endpoints of GATEWAY_FAILOVER are runtimes': the control plane (`bedrock`) keeps its own.
  const perRegion = service === "bedrock" ? undefined : config.failover.endpoints[region];
  if (perRegion !== undefined) return perRegion;
  const override = service === "bedrock-runtime" ? config.endpoints.runtime : service === "bedrock" ? config.endpoints.bedrock : config.endpoints.agentRuntime;
  return override ? override.replaceAll("{region}", region) : `https://${service}.${region}.${dnsSuffixOf(region)}`;
}

/** Each AWS partition has its own domain: China's regions are not reachable (nor signed for) under amazonaws.com. */
export function dnsSuffixOf(region: string): string {
  if (region.startsWith("cn-")) return "amazonaws.com.cn";
  if (region.startsWith("us-isob-")) return "sc2s.sgov.gov";
  if (region.startsWith("us-iso-")) return "c2s.ic.gov";
  return "amazonaws.com";
}
