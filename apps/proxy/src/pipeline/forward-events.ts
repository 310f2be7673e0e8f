import { EventStreamFormatError, FrameTooLargeError, readFrames } from "@bedrock-gateway/protocol";
import { type EventChainSigner, SigV4Error } from "@bedrock-gateway/sigv4";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { StreamFailure } from "../bedrock/event-stream-frames.ts";
import { errorMessage } from "../error-message.ts";
import type { DuplexExchange } from "../runtime/upstream-h2.ts";
import type { BedrockCall } from "./context.ts";
import type { Forwarded } from "./forward.ts";
import { refuse, type Refusal } from "./refusal.ts";
import type { SignedCall } from "./sign.ts";

export interface ForwardEventsOptions {
  /** UPSTREAM_TIMEOUT_MS: Bedrock answers (status and headers) within it, or the call is a 504. */
  timeoutMs: number;
  /** BODY_READ_TIMEOUT_MS: the first input event arrives within it, or the call is a 408. */
  firstEventTimeoutMs: number;
  /** MAX_REQUEST_BODY_MB: the most one input event (its signed envelope) may weigh. */
  maxEventBytes: number;
  /** Signs the events sent upstream, chained from the upstream request's signature. */
  eventSigner: (region: string, seedSignature: string) => EventChainSigner;
  /** The runtime edge that opens a full-duplex HTTP/2 exchange (runtime/upstream-h2.ts). */
  openDuplex: (href: string, headers: Record<string, string>, method: string) => DuplexExchange;
}

/**
 * Bun and Deno end a request body cleanly when the client resets its HTTP/2 stream and tell the abort 1-10 ms
 * later (measured): an input that stops without the SDK's end-of-input frame is only closed upstream (END_STREAM)
 * after this long, so that an abandoned session is reset upstream rather than ended there as if complete.
 */
const INPUT_END_GRACE_MS = 1_000;
const SIGNATURE = /Signature=([0-9a-f]{64})/;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** An input event the gateway will not relay: before the answer it is the call's answer, after it an error frame. */
class InputRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

/**
 * Relays a signed event stream both ways over one HTTP/2 exchange with Bedrock (runtime/upstream-h2.ts), frame by
 * frame. Nothing goes upstream before the first input event has arrived and passed (a stream reset at once, or a
 * client that sends nothing, costs Bedrock nothing). Each input event is checked against the client's chain when
 * it signed with gateway-issued credentials (`call.inputChain`), else only unwrapped (a bearer key's SDK signs its
 * events with whatever AWS credentials it found, which the gateway cannot check), then re-signed with the
 * gateway's own chain, seeded by the upstream request's signature. Input keeps flowing while the answer streams
 * back; the answer is handed on as a Response, so relaying and metering are the pipeline's usual ones. An input
 * event refused mid-session resets the upstream stream and ends the answer with an error frame naming why.
 */
export function createForwardEvents(options: ForwardEventsOptions) {
  const { timeoutMs, firstEventTimeoutMs, maxEventBytes, eventSigner, openDuplex } = options;

  const openInput = async (call: BedrockCall, frame: Uint8Array): Promise<Uint8Array> => {
    try {
      if (call.inputChain) return await call.inputChain.open(frame);
      const message = codec.decode(frame);
      return message.headers[":chunk-signature"] ? message.body : frame;
    } catch (error) {
      throw inputRefused(error);
    }
  };

  return async function forwardEvents(call: BedrockCall, signed: SignedCall): Promise<Forwarded | Refusal> {
    const { request } = call;
    if (request.signal.aborted) return refuse.clientClosed("The client closed the request before it was sent to Bedrock.");
    const seed = SIGNATURE.exec(signed.headers.authorization ?? "")?.[1];
    if (!seed) return refuse.internal("The gateway's signature of the call could not be read.");
    if (!request.body) return refuse.validation("InvokeModelWithBidirectionalStream needs a request body: a stream of input events.");
    // Stops reading the client's events: when the first does not come in time, and once the relay of input ended.
    const input = new AbortController();
    const frames = readFrames(request.body, maxEventBytes, input.signal);

    // 1. The first event, before anything goes upstream.
    let first: Uint8Array;
    let firstTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const idle = new Promise<never>((_, reject) => {
        firstTimer = setTimeout(() => reject(new InputRefused(refuse.requestTimeout(`No input event arrived within ${firstEventTimeoutMs} ms (BODY_READ_TIMEOUT_MS).`))), firstEventTimeoutMs);
      });
      const next = await Promise.race([frames.next().catch((error) => Promise.reject(inputRefused(error))), idle]);
      if (next.done) return refuse.validation("InvokeModelWithBidirectionalStream needs input events; the request body ended without one.");
      first = await openInput(call, next.value);
    } catch (error) {
      input.abort();
      if (error instanceof InputRefused) return error.refusal;
      throw error;
    } finally {
      clearTimeout(firstTimer);
    }

    // 2. Upstream: the request as the gateway signed it, then every event re-signed with the gateway's chain.
    let exchange: DuplexExchange;
    try {
      exchange = openDuplex(signed.href, signed.headers, request.method);
    } catch (error) {
      input.abort();
      return refuse.badGateway(`Bedrock is unreachable: ${errorMessage(error)}`);
    }
    const resign = eventSigner(call.region, seed);
    const abort = new AbortController();
    abort.signal.addEventListener("abort", () => exchange.cancel(), { once: true });
    const onClientAbort = () => abort.abort();
    request.signal.addEventListener("abort", onClientAbort, { once: true });
    const release = () => request.signal.removeEventListener("abort", onClientAbort);
    let refused: InputRefused | null = null;
    let inputFailed!: (failure: InputRefused) => void;
    const failure = new Promise<InputRefused>((resolve) => (inputFailed = resolve));

    const pump = async () => {
      let event = first;
      let ended = false;
      for (;;) {
        ended = event.byteLength === 0;
        await exchange.write(await resign.sign(event));
        const next = await frames.next().catch((error) => Promise.reject(inputRefused(error)));
        if (next.done) break;
        if (ended) throw new InputRefused(refuse.validation("An input event arrived after the end-of-input event."));
        event = await openInput(call, next.value);
      }
      if (!ended && !abort.signal.aborted) await graceFor(abort.signal);
      if (!abort.signal.aborted) exchange.end();
    };
    void pump()
      .catch((error) => {
        // A failed write means upstream closed its side: its answer says why. A refused event is told here.
        if (!(error instanceof InputRefused) || abort.signal.aborted) return;
        refused = error;
        inputFailed(error);
        abort.abort();
      })
      .finally(() => input.abort());

    // 3. The answer's status and headers, within UPSTREAM_TIMEOUT_MS, unless an input event is refused first.
    const timer = setTimeout(() => abort.abort(new DOMException("upstream timeout", "TimeoutError")), timeoutMs);
    let answer: { status: number; headers: Headers };
    try {
      answer = await Promise.race([exchange.response, failure.then((f) => Promise.reject(f))]);
    } catch (error) {
      release();
      abort.abort();
      if (error instanceof InputRefused) return error.refusal;
      if (abort.signal.reason instanceof DOMException && abort.signal.reason.name === "TimeoutError") return refuse.gatewayTimeout(`Bedrock did not answer within ${timeoutMs} ms.`);
      if (request.signal.aborted) return refuse.clientClosed("The client closed the request before Bedrock answered.");
      return refuse.badGateway(`Bedrock is unreachable: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
    }

    const reader = exchange.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const next = await reader.read();
            if (next.done) {
              // Bedrock ended the session: input has nowhere to go any more.
              input.abort();
              controller.close();
            } else controller.enqueue(next.value);
          } catch (error) {
            input.abort();
            // The reset that follows a refused input event: the client is told the refusal, not the reset.
            const told = refused as InputRefused | null;
            controller.error(told ? new StreamFailure(told.refusal.type, told.refusal.message) : error);
          }
        },
        cancel: (reason) => {
          input.abort();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return { upstream: new Response(body, { status: answer.status, headers: answer.headers }), abort, release };
  };
}

function inputRefused(error: unknown): InputRefused {
  if (error instanceof InputRefused) return error;
  if (error instanceof SigV4Error) return new InputRefused({ status: error.status, type: error.type, message: error.message });
  if (error instanceof FrameTooLargeError) {
    return new InputRefused(refuse.tooLarge(`An input event of ${error.declaredBytes} bytes is larger than the gateway's limit of ${error.maxBytes} bytes (MAX_REQUEST_BODY_MB).`));
  }
  if (error instanceof EventStreamFormatError) return new InputRefused(refuse.validation(`The input is not a well-formed event stream: ${error.message}.`));
  return new InputRefused(refuse.validation(`An input event could not be read: ${errorMessage(error)}.`));
}

/** Resolves after INPUT_END_GRACE_MS, or as soon as the call is aborted. */
function graceFor(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, INPUT_END_GRACE_MS);
    signal.addEventListener("abort", done, { once: true });
  });
}
