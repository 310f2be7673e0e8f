import type { GatewayConfig } from "../config.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { GatewaySigV4 } from "../auth/sigv4-credentials.ts";
import type { RouteTable } from "../bedrock/route-table.ts";
import type { Signer } from "../bedrock/sign.ts";
import { errorMessage } from "../error-message.ts";
import { log } from "../log.ts";
import { runtime } from "../runtime/runtime.ts";
import { createAuthenticate } from "./authenticate.ts";
import type { BedrockCall, CallOutcome } from "./context.ts";
import { createForward } from "./forward.ts";
import { createForwardEvents, type ForwardEventsOptions } from "./forward-events.ts";
import { openDuplex } from "../runtime/upstream-h2.ts";
import { BodyRefused, bodyLimitsOf, readCallBody } from "./read-body.ts";
import { nameModelFromBody } from "./model-from-body.ts";
import { filterControlPlaneAnswer } from "./filter-answer.ts";
import { dialectOf, isRefusal, refuse, renderRefusal, type Refusal } from "./refusal.ts";
import { type Finish, relayAndMeter } from "./relay-and-meter.ts";
import { createRoute, takesEvents } from "./route.ts";
import { createSign } from "./sign.ts";
import { createSend, type SendOptions } from "./send.ts";
import { createBreakers, type Breakers } from "../failover/breakers.ts";
import type { FailoverMetrics } from "../failover/failover-metrics.ts";
import type { CallSteps } from "./step.ts";

export interface BedrockPipelineOptions {
  config: GatewayConfig;
  routes: RouteTable;
  signer: Signer;
  authenticate: Authenticator;
  /** Requests signed with gateway-issued AWS credentials (and no key header) are verified here instead. */
  gatewaySigV4?: GatewaySigV4;
  /** The features' steps, in the order each phase runs them. */
  steps?: Partial<CallSteps>;
  /** Options every upstream fetch carries; default: the runtime's (Bun's `decompress: false`). */
  fetchOptions?: RequestInit;
  /** Circuit breakers per region and model (default: the pipeline's own) and the failover metrics. */
  failover?: { breakers: Breakers; metrics?: FailoverMetrics; enterRegion?: SendOptions["enterRegion"]; admitTarget?: SendOptions["admitTarget"] };
  /** Requests refused before admission (bad path, unknown route, bad key, bad region): for metrics. */
  onUnadmitted?: (refusal: Refusal, startedAt: number) => void;
  /** Opens the full-duplex HTTP/2 exchanges of bidirectional streams; default: node:http2 (runtime/upstream-h2.ts). */
  openDuplex?: ForwardEventsOptions["openDuplex"];
}

/**
 * `ANY /bedrock/*`, top to bottom: route → authenticate → (model from body) → admit → read body → reserve → sign →
 * forward → (filter a control-plane answer) → relay and meter → record. A bidirectional stream (its body a live
 * stream of signed events) skips the body read and is forwarded over HTTP/2 with its input relayed as it comes. Every step either adds to the call's context
 * or returns a Refusal, which is rendered here, once.
 */
export function createBedrockPipeline(options: BedrockPipelineOptions): (request: Request) => Promise<Response> {
  const { config } = options;
  const { admit = [], reserve = [], tap = [], record = [] } = options.steps ?? {};
  const route = createRoute({ defaultRegion: config.region, routes: options.routes });
  const body = bodyLimitsOf(config);
  const authenticate = createAuthenticate({ authenticate: options.authenticate, gatewaySigV4: options.gatewaySigV4, body });
  const sign = createSign({ config, signer: options.signer });
  const forwardBody = createForward({ timeoutMs: config.upstreamTimeoutMs, fetchOptions: options.fetchOptions ?? runtime.fetchOptions });
  const forwardEvents = createForwardEvents({
    timeoutMs: config.upstreamTimeoutMs,
    firstEventTimeoutMs: config.bodyReadTimeoutMs,
    maxEventBytes: config.maxRequestBodyBytes,
    eventSigner: options.signer.eventSigner,
    openDuplex: options.openDuplex ?? openDuplex,
  });
  const forward: SendOptions["forward"] = (call, signed) => (takesEvents(call) ? forwardEvents(call, signed) : forwardBody(call, signed));
  const breakers = options.failover?.breakers ?? createBreakers({ failures: config.failover.breakerFailures, cooldownMs: config.failover.breakerCooldownMs });
  const send = createSend({ failover: config.failover, sign, forward, breakers, metrics: options.failover?.metrics, enterRegion: options.failover?.enterRegion, admitTarget: options.failover?.admitTarget });

  const unadmitted = (refusal: Refusal, startedAt: number, request: Request) => {
    options.onUnadmitted?.(refusal, startedAt);
    return renderRefusal(refusal, dialectOf(request.url));
  };

  return async function bedrockCall(request) {
    const startedAt = Date.now();
    // 1. Route: operation, service, region, model, end user, from the path and headers alone.
    const routed = route(request, startedAt);
    if (isRefusal(routed)) return unadmitted(routed, startedAt, request);

    // 2. Authenticate: the caller's key, or a signature made with gateway-issued AWS credentials.
    let principal;
    try {
      principal = await authenticate(routed);
    } catch (error) {
      if (error instanceof BodyRefused) return unadmitted(error.refusal, startedAt, request);
      throw error;
    }
    if (isRefusal(principal)) return unadmitted(principal, startedAt, request);
    // The same object from here on: a body read during authentication stays on it.
    const call: BedrockCall = Object.assign(routed, { principal });

    // From here every record step runs exactly once for the call, however it ends.
    let finished = false;
    const finish: Finish = (outcome, usage) => {
      if (finished) return;
      finished = true;
      const done: CallOutcome = { ...outcome, usage, endedAt: Date.now() };
      for (const step of record) {
        // One step's failure must not leave the others' bookkeeping (in-flight count, reservations) undone.
        try {
          step.record!(call, done);
        } catch (error) {
          log.error("a step failed to record a call", { step: step.name, request_id: call.requestId, error: errorMessage(error) });
        }
      }
    };
    const dialect = dialectOf(request.url);
    const answer = (refusal: Refusal, by: string) => {
      finish({ status: refusal.status, refusal: { ...refusal, by } }, null);
      return renderRefusal(refusal, dialect);
    };

    try {
      // 2b. Routes that name their model in the body (OpenAI-compatible) read it now: admission checks the model.
      const unnamed = await nameModelFromBody(call, body);
      if (unnamed) return answer(unnamed, "model-from-body");
      // 3. Admit: in-flight, allow-lists, budgets, limits (as composed), before a byte of body is read (but for the
      // region policy, which reads a region-bound key's body when it names models: region-policy.ts).
      for (const step of admit) {
        const refusal = await step.admit!(call);
        if (refusal) return answer(refusal, step.name);
      }
      // 4. Read the body, within MAX_REQUEST_BODY_MB, BODY_READ_TIMEOUT_MS and the rate floor (already read if
      // authentication needed it). An event stream's body is never read whole: forward-events.ts relays it event by event.
      if (!takesEvents(call)) await readCallBody(call, body);
      // 4b. Reserve what the call may use (budgets, tokens), now that its body tells how much.
      for (const step of reserve) {
        const refusal = await step.reserve!(call);
        if (refusal) return answer(refusal, step.name);
      }
      // 5. Sign it with the gateway's AWS credentials and 6. forward it to Bedrock; with a failover route, to the
      // next allowed region while one throttles or fails before answering.
      const forwarded = await send(call);
      if (isRefusal(forwarded)) return answer(forwarded, "forward");
      // 6b. A control-plane list, for a key limited to some models: only the models it may use.
      const filtered = await filterControlPlaneAnswer(call, forwarded);
      if (isRefusal(filtered)) return answer(filtered, "filter-answer");
      // 7. Relay the answer byte for byte while the meter and the tap steps watch it; 8. record once it ended.
      return await relayAndMeter(call, filtered, tap, finish, dialect);
    } catch (error) {
      if (error instanceof BodyRefused) return answer(error.refusal, "read-body");
      // A step that throws (storage gone mid-admission, a body the client never finished sending) still ends the
      // call for every record step: shutdown waits on in-flight calls, and reservations must be released.
      finish({ status: 500, refusal: { ...refuse.internal(errorMessage(error)), by: "error" } }, null);
      throw error;
    }
  };
}
