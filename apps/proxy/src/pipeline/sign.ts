import type { GatewayConfig } from "../config.ts";
import { boundedMemo } from "../bedrock/bounded-memo.ts";
import { upstreamHeaders } from "../bedrock/headers.ts";
import { upstreamOrigin } from "../bedrock/region.ts";
import type { Signer } from "../bedrock/sign.ts";
import { errorMessage } from "../error-message.ts";
import type { BedrockCall } from "./context.ts";
import { takesEvents } from "./route.ts";
import { refuse, type Refusal } from "./refusal.ts";

/** A call ready to go upstream: where, and the headers that carry its signature. */
export interface SignedCall {
  /** A string, not a URL object: the raw path must reach the wire exactly as the client encoded it. */
  href: string;
  headers: Record<string, string>;
}

/** Signs the exact bytes the client sent, with the gateway's own AWS credentials, for the call's service and region. */
export function createSign(options: { config: GatewayConfig; signer: Signer }) {
  const { config, signer } = options;
  const originUrl = boundedMemo((origin) => new URL(origin));

  /** `rawPath`: the path to send instead of the client's (failover to an inference profile names another model). */
  return async function sign(call: BedrockCall, rawPath = call.target.path): Promise<SignedCall | Refusal> {
    const { request, target } = call;
    const origin = upstreamOrigin(config, call.route.service, call.region);
    try {
      const signed = await signer.sign(
        { method: request.method, origin: originUrl(origin), rawPath, rawQuery: target.query, headers: upstreamHeaders(request.headers), body: takesEvents(call) ? "events" : call.body },
        call.region,
      );
      return { href: origin + rawPath + (target.query ? "?" + target.query : ""), headers: upstreamRequestHeaders(signed) };
    } catch (error) {
      // In practice: the gateway's own AWS credentials cannot be loaded. The caller can do nothing about it; say so.
      return refuse.internal(`The gateway could not sign the call with its AWS credentials (${errorMessage(error)}). Its operator must configure them.`);
    }
  };
}

/** The signed headers as sent: the runtime sets Host itself; identity encoding keeps the answer's bytes as Bedrock sent them. */
function upstreamRequestHeaders(signed: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  for (const name in signed) if (name !== "host") headers[name] = signed[name]!;
  return headers;
}
