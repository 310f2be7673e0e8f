import type { FailoverConfig } from "../failover/failover-config.ts";
import { failoverRouteFor } from "../failover/failover-config.ts";
import type { Breakers } from "../failover/breakers.ts";
import type { FailoverMetrics } from "../failover/failover-metrics.ts";
import { failoverTargets, pathFor, repeatableOperations } from "../failover/plan.ts";
import { backoffMs, retryReason } from "../failover/retryable.ts";
import type { BedrockCall, UpstreamAttempt } from "./context.ts";
import type { Forwarded } from "./forward.ts";
import { isRefusal, refuse, type Refusal } from "./refusal.ts";
import type { SignedCall } from "./sign.ts";

export interface SendOptions {
  failover: FailoverConfig;
  sign: (call: BedrockCall, rawPath?: string) => Promise<SignedCall | Refusal>;
  forward: (call: BedrockCall, signed: SignedCall) => Promise<Forwarded | Refusal>;
  breakers: Breakers;
  metrics?: FailoverMetrics;
  /** Counts the call against a region's gateway-wide model limit before it goes there (limits step); a Refusal: skip it. */
  enterRegion?: (call: BedrockCall, region: string, model: string) => Promise<Refusal | undefined>;
  /** Data residency for a try elsewhere (region policy step): why it may not go there (the attempt's `error`), or undefined. */
  admitTarget?: (call: BedrockCall, region: string, model: string) => Promise<string | undefined>;
}

/**
 * Sign and forward; for a repeatable call with a failover route (GATEWAY_FAILOVER), try the next allowed region
 * while the answer is a throttle, an outage or no connection, re-signed for that region's host. Only the answer's
 * status and headers are looked at, and a retried answer's body is dropped unread: nothing has reached the client
 * yet, and once an answer is handed on nothing is retried. The last failure, when every try failed, is relayed
 * as Bedrock sent it. `call.region` ends as the serving region; `call.attempts` lists every try.
 */
export function createSend(options: SendOptions) {
  const { failover, sign, forward, breakers, metrics, enterRegion, admitTarget } = options;

  const once = async (call: BedrockCall): Promise<Forwarded | Refusal> => {
    const signed = await sign(call);
    return isRefusal(signed) ? signed : forward(call, signed);
  };

  return async function send(call: BedrockCall): Promise<Forwarded | Refusal> {
    const operation = call.route.operation?.operationId;
    const route = operation !== undefined && repeatableOperations.has(operation) ? failoverRouteFor(failover, call.modelId) : null;
    if (!route) return once(call);

    const attempts: UpstreamAttempt[] = (call.attempts = []);
    const clientModel = call.modelId!;
    const admittedRegion = call.region;
    let pending: { result: Forwarded | Refusal; region: string } | null = null;
    let tries = 0;
    let soonestProbeMs = Infinity;

    const targets = failoverTargets(call, route);
    // Only when the region policy left the call's own region out, which it does not: sent as it came.
    if (targets.length === 0) return once(call);
    for (const target of targets) {
      if (tries >= failover.maxAttempts) break;
      const model = target.model ?? clientModel;
      const elsewhere = target.region !== admittedRegion || model !== clientModel;
      // Before the breaker and the limits: a target the key may not use is neither probed nor counted.
      const ruledOut = elsewhere && admitTarget ? await admitTarget(call, target.region, model) : undefined;
      if (ruledOut) {
        attempts.push({ region: target.region, ...(target.model && { model: target.model }), status: null, error: ruledOut, ms: 0 });
        continue;
      }
      const now = Date.now();
      const state = breakers.enter(target.region, model, now);
      if (state === "open") {
        soonestProbeMs = Math.min(soonestProbeMs, breakers.reopensInMs(target.region, model, now));
        attempts.push({ region: target.region, ...(target.model && { model: target.model }), status: null, error: "breaker open", ms: 0 });
        continue;
      }
      // Admission counted the call where it was asked for; anywhere else counts it there too, or skips a full region.
      if (enterRegion && elsewhere && (await enterRegion(call, target.region, model))) {
        if (state === "probe") breakers.release(target.region, model);
        attempts.push({ region: target.region, ...(target.model && { model: target.model }), status: null, error: "gateway limit", ms: 0 });
        continue;
      }
      if (pending) {
        const delay = backoffMs(tries, failover.backoffBaseMs, failover.backoffMaxMs);
        if (now + delay - call.startedAt > failover.maxTotalMs || !(await pause(delay, call.request.signal))) {
          if (state === "probe") breakers.release(target.region, model);
          break;
        }
        await drop(pending.result);
        metrics?.failover(pending.region, target.region);
        pending = null;
      }

      call.region = target.region;
      call.modelId = model;
      const sentAt = Date.now();
      tries++;
      const signed = await sign(call, pathFor(call, target.model));
      if (isRefusal(signed)) {
        if (state === "probe") breakers.release(target.region, model);
        return signed;
      }
      const result = await forward(call, signed);
      if (call.request.signal.aborted) {
        // The client went away: nothing to learn about the region, no one to answer.
        if (state === "probe") breakers.release(target.region, model);
        return result;
      }
      const reason = retryReason(result);
      const status = "upstream" in result ? result.upstream.status : null;
      attempts.push({ region: target.region, ...(target.model && { model: target.model }), status, ...(reason && { error: reason }), ms: Date.now() - sentAt });
      metrics?.attempt(target.region, reason ?? "ok");
      if (reason === null) {
        // A timeout says nothing about the region's health either way: only a probe needs settling.
        if (isRefusal(result)) {
          if (state === "probe") breakers.release(target.region, model);
        } else breakers.success(target.region, model);
        return result;
      }
      breakers.failure(target.region, model, Date.now());
      pending = { result, region: target.region };
    }

    if (pending) return pending.result;
    const retryAfter = Number.isFinite(soonestProbeMs) ? soonestProbeMs / 1000 : failover.breakerCooldownMs / 1000;
    return {
      ...refuse.serviceUnavailable(`Every region the gateway may use for ${clientModel} failed repeatedly and is paused (circuit breaker open) or is at the gateway's limit; retry after ${Math.ceil(retryAfter)} s.`),
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfter)),
    };
  };
}

/** Error answers up to this size are read to their end before the next attempt, so their connection is reused. */
const DRAIN_MAX_BYTES = 64 * 1024;

/**
 * An answer not relayed: the client's abort is detached from it and its body discarded: read to the end when it
 * is a small error (cancelling it closes a keep-alive connection: measured +~1 ms on the next call to that region,
 * bench/results/failover.md), cancelled otherwise.
 */
async function drop(result: Forwarded | Refusal): Promise<void> {
  if (isRefusal(result)) return;
  result.release();
  const { upstream } = result;
  const length = Number(upstream.headers.get("content-length") ?? "-1");
  try {
    if (length >= 0 && length <= DRAIN_MAX_BYTES) await upstream.arrayBuffer();
    else await upstream.body?.cancel();
  } catch {
    // A body that breaks off while discarded changes nothing: the next attempt goes on.
  }
}

/** Waits `ms`; false when the client went away meanwhile. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
