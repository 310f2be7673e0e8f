import { BEDROCK_REGION_HEADER } from "@bedrock-gateway/protocol";
import type { StackLike } from "./sdk-stack.ts";

export { BEDROCK_REGION_HEADER };

/**
 * The SDK's own `region` only feeds signing (and the gateway accepts any), so the upstream region has to travel
 * in a header the gateway reads. Added at the build step, i.e. before signing, so SigV4 clients sign it too.
 */
export function addBedrockRegionHeader(stack: StackLike, bedrockRegion: string | undefined): void {
  if (!bedrockRegion) return;
  stack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (request?.headers) request.headers[BEDROCK_REGION_HEADER] = bedrockRegion;
      return next(args);
    },
    { step: "build", name: "bedrockGatewayRegionHeader", override: true },
  );
}
