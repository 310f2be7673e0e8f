import type { GatewayConfig } from "../config.ts";
import { log } from "../log.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { GatewaySigV4 } from "../auth/sigv4-credentials.ts";
import { errorMessage } from "../error-message.ts";
import { createForward } from "./forward.ts";
import { errors } from "./errors.ts";
import { createIdentify } from "./identify.ts";
import type { CallPlugin } from "./plugin.ts";
import { BodyTooLarge, BodyTooSlow } from "./read-body.ts";
import { type Finish, respond } from "./respond.ts";
import type { RouteTable } from "./route-table.ts";
import type { Signer } from "./sign.ts";

export { BEDROCK_PREFIX } from "./identify.ts";

export interface PassthroughOptions {
  config: GatewayConfig;
  routes: RouteTable;
  signer: Signer;
  authenticate: Authenticator;
  /** Requests signed with gateway-issued AWS credentials (and no key header) are verified here instead. */
  gatewaySigV4?: GatewaySigV4;
  plugins?: CallPlugin[];
  upstreamTimeoutMs?: number;
  /** Requests answered before any plugin saw them (bad path, unknown route, bad key, bad region): for metrics. */
  onUnadmitted?: (request: Request, response: Response, startedAt: number) => void;
}

/** `ANY /bedrock/*`: identify → plugins admit → read body → sign and forward → relay with taps → plugins finish. */
export function createPassthrough(options: PassthroughOptions): (request: Request) => Promise<Response> {
  const plugins = options.plugins ?? [];
  const identify = createIdentify({ defaultRegion: options.config.region, maxBodyBytes: options.config.maxRequestBodyBytes, bodyPace: options.config.bodyPace, routes: options.routes, authenticate: options.authenticate, gatewaySigV4: options.gatewaySigV4 });
  const forward = createForward({ config: options.config, signer: options.signer, timeoutMs: options.upstreamTimeoutMs ?? 300_000 });

  return async function passthrough(request) {
    const startedAt = Date.now();
    const identified = await identify(request, startedAt);
    if (!identified.ok) {
      options.onUnadmitted?.(request, identified.response, startedAt);
      return identified.response;
    }
    const { call } = identified;
    // Every plugin's finish runs exactly once for an admitted call, however it ends.
    let finished = false;
    const finish: Finish = (outcome, usage) => {
      if (finished) return;
      finished = true;
      const done = { ...outcome, usage, endedAt: Date.now() };
      for (const plugin of plugins) {
        // One plugin's failure must not leave the others' bookkeeping (in-flight count, reservations) undone.
        try {
          plugin.finish?.(call, done);
        } catch (error) {
          log.error("a plugin failed to finish a call", { plugin: plugin.name, request_id: call.requestId, error: errorMessage(error) });
        }
      }
    };

    try {
      for (const plugin of plugins) {
        const refusal = await plugin.admit?.(call);
        if (refusal) {
          finish({ status: refusal.status, refusal: { type: refusal.headers.get("x-amzn-errortype") ?? "Error", message: `refused by ${plugin.name}` } }, null);
          return refusal;
        }
      }

      call.body = await identified.readBody();
      const forwarded = await forward(call);
      if (!forwarded.ok) {
        finish({ status: forwarded.response.status, refusal: { type: forwarded.response.headers.get("x-amzn-errortype") ?? "Error", message: "not sent to Bedrock, or no answer" } }, null);
        return forwarded.response;
      }
      return await respond(call, forwarded, plugins, finish);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        finish({ status: 413, refusal: { type: "ValidationException", message: error.message } }, null);
        return errors.tooLarge(error.message);
      }
      if (error instanceof BodyTooSlow) {
        finish({ status: 408, refusal: { type: "RequestTimeoutException", message: error.message } }, null);
        return errors.requestTimeout(error.message);
      }
      // A step that throws (storage gone mid-admission, a body the client never finished sending) still ends the
      // call for every plugin: shutdown waits on in-flight calls, and reservations must be released.
      finish({ status: 500, refusal: { type: "InternalServerException", message: errorMessage(error) } }, null);
      throw error;
    }
  };
}
