import { log } from "../log.ts";
import { createUsageMeter } from "../usage/meter.ts";
import { errorMessage } from "../error-message.ts";
import type { BedrockCall, CallOutcome, UpstreamResult } from "./context.ts";
import type { Forwarded } from "./forward.ts";
import { downstreamHeaders } from "../bedrock/headers.ts";
import type { CallStep } from "./step.ts";
import { type BodyTap, relayBody, type RelayOutcome } from "../bedrock/relay.ts";
import { type Dialect, refuse, renderRefusal } from "./refusal.ts";

const EVENT_STREAM = "application/vnd.amazon.eventstream";
/** The region that served the answer (after failover, not necessarily the one asked for). */
export const GATEWAY_REGION_HEADER = "x-gateway-region";

/**
 * Complete answers up to this size (by Content-Length) are read in one native call and returned as bytes:
 * measured cheaper than a JS stream relay per chunk, with memory still bounded per call. Event streams and
 * larger or unsized bodies are always relayed chunk by chunk.
 */
const WHOLE_BODY_MAX_BYTES = 256 * 1024;

/**
 * Runs a task on the next turn of the event loop, after the server has taken the response being returned now.
 * Nothing thrown there has a caller to reach any more: it is logged, and the gateway goes on serving.
 */
const afterResponse = (task: () => void): void =>
  void setImmediate(() => {
    try {
      task();
    } catch (error) {
      log.error("a call's bookkeeping failed after its answer", { error: errorMessage(error) });
    }
  });

export type Finish = (outcome: Omit<CallOutcome, "endedAt" | "usage">, usage: CallOutcome["usage"]) => void;

/** Relays Bedrock's answer to the client while the usage meter and the tap steps watch it pass; `finish` once it ended. */
export function relayAndMeter(call: BedrockCall, forwarded: Forwarded, tapSteps: CallStep[], finish: Finish, dialect: Dialect = "aws"): Promise<Response> | Response {
  const { upstream, abort, release } = forwarded;
  const result: UpstreamResult = { status: upstream.status, headers: upstream.headers, firstByteAt: Date.now() };
  const meter = createUsageMeter(call.route.operation?.usage ?? "none", { modelId: call.modelId, status: upstream.status, headers: upstream.headers, requestBody: call.body });
  const taps: BodyTap[] = [meter];
  for (const step of tapSteps) {
    const tap = step.tap?.(call, result);
    if (tap) taps.push(tap);
  }
  const headers = downstreamHeaders(upstream.headers);
  headers.set(GATEWAY_REGION_HEADER, call.region);
  // The record steps (price, spend row, ledger, limits, metrics, access log) run once the answer is handed to the
  // server, not before: done first, it sat on every call's critical path (~0.1 ms p50 at 1,000 req/s, bench/README.md).
  const end = (relay: RelayOutcome) =>
    afterResponse(() => {
      let usage: CallOutcome["usage"] = null;
      try {
        release();
        for (const t of taps) t.end?.(relay);
        usage = meter.result();
      } finally {
        // Even when a tap failed: every record step runs once per call (in-flight count, reservations).
        finish({ status: upstream.status, upstream: result, relay }, usage);
      }
    });

  if (!upstream.body) {
    end({ kind: "complete" });
    return new Response(null, { status: upstream.status, headers });
  }
  const eventStream = (upstream.headers.get("content-type") ?? "").startsWith(EVENT_STREAM);
  const length = Number(upstream.headers.get("content-length") ?? "-1");
  if (!eventStream && length >= 0 && length <= WHOLE_BODY_MAX_BYTES) return respondWhole(upstream, headers, taps, end, dialect);

  const body = relayBody(upstream.body, {
    eventStream,
    serverSentEvents: (upstream.headers.get("content-type") ?? "").startsWith("text/event-stream"),
    eventDialect: dialect === "anthropic" ? "anthropic" : "openai",
    abortUpstream: () => abort.abort(),
    clientGone: () => call.request.signal.aborted,
    tap: {
      chunk: (bytes) => {
        for (const t of taps) t.chunk?.(bytes);
      },
      end,
    },
  });
  return new Response(body, { status: upstream.status, headers });
}

async function respondWhole(upstream: Response, headers: Headers, taps: BodyTap[], end: (relay: RelayOutcome) => void, dialect: Dialect): Promise<Response> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await upstream.arrayBuffer());
  } catch (error) {
    end({ kind: "upstream-error", error });
    return renderRefusal(refuse.badGateway(`The Bedrock answer broke off: ${errorMessage(error)}`), dialect);
  }
  for (const t of taps) t.chunk?.(bytes);
  end({ kind: "complete" });
  return new Response(bytes, { status: upstream.status, headers });
}
