import { concatBytes } from "@bedrock-gateway/protocol";
import type { GatewayConfig } from "../config.ts";
import { BodyPace, type PaceLimits, wholeReadDeadline } from "./body-pace.ts";
import { refuse, type Refusal } from "./refusal.ts";
import type { RoutedCall } from "./route.ts";

/** How much body the gateway reads, for how long it waits for it, and how slowly it may arrive. */
export interface BodyLimits extends PaceLimits {
  /** MAX_REQUEST_BODY_MB, in bytes. */
  maxBytes: number;
}

/** The configured limits of every request body. */
export function bodyLimitsOf(config: GatewayConfig): BodyLimits {
  return {
    maxBytes: config.maxRequestBodyBytes,
    timeoutMs: config.bodyReadTimeoutMs,
    minBytesPerSec: config.bodyMinBytesPerSec,
    rateWindowMs: config.bodyMinRateWindowMs,
  };
}

/**
 * A body the gateway will not read: over MAX_REQUEST_BODY_MB (413), not sent within BODY_READ_TIMEOUT_MS or
 * slower than BODY_MIN_BYTES_PER_SEC (408).
 */
export class BodyRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

/** The call's body, read at most once whichever step asks first (gateway SigV4, or the pipeline after admission). */
export function readCallBody(call: RoutedCall, limits: BodyLimits): Promise<Uint8Array<ArrayBuffer> | null> {
  const { request } = call;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return (call.bodyRead ??= hasBody ? readBodyWithin(request, limits).then((body) => (call.body = body)) : Promise.resolve(null));
}

/**
 * Reads the whole body (SigV4 signs its hash, so it must be complete before forwarding), never more than
 * `maxBytes` (Bun enforces its own limit, Deno's server has none, so a huge upload must not be buffered whole),
 * never waiting longer than `timeoutMs` nor for a body slower than the rate floor: a client that stops sending,
 * or trickles, must not hold an admitted call (or, before authentication, a SigV4 verification) for long.
 */
export async function readBodyWithin(request: Request, limits: BodyLimits): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  // Small declared bodies (most calls) take the runtime's own whole read: on Bun a stream reader cost the gateway
  // ~25 µs more CPU per call (bench/README.md). Such a read cannot be released when it is refused; it goes on
  // until the client sends the rest (at most one window's quota) or disconnects.
  const whole = wholeReadDeadline(limits, declared);
  if (whole) return readWhole(request, whole.afterMs, whole.refusal);
  if (request.body === null) return new Uint8Array(0);
  const body = new BoundedBodyReader(request.body, limits);
  const parts: Uint8Array[] = [];
  for (let chunk = await body.next(); chunk !== null; chunk = await body.next()) parts.push(chunk);
  return concatBytes(parts, body.size);
}

async function readWhole(request: Request, afterMs: number, refusal: Refusal): Promise<Uint8Array<ArrayBuffer>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BodyRefused(refusal)), afterMs)));
  try {
    return new Uint8Array(await Promise.race([request.arrayBuffer(), late]));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads one body chunk by chunk within its limits: size, deadline and rate floor (timed from the first read).
 * `next` throws BodyRefused past one of them. A body refused half-read is released, never cancelled: the runtime
 * edge decides how its connection ends (Deno reclaims a connection whose body was cancelled before the answer and
 * then drains the rest for as long as the client sends; see runtime/deno-close-after-refusal.ts).
 */
export class BoundedBodyReader {
  size = 0;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #maxBytes: number;
  readonly #pace: BodyPace;
  readonly #stalled: Promise<never>;
  #refused: BodyRefused | undefined;

  constructor(body: ReadableStream<Uint8Array>, limits: BodyLimits) {
    this.#reader = body.getReader();
    this.#maxBytes = limits.maxBytes;
    let stall!: (refused: BodyRefused) => void;
    this.#stalled = new Promise<never>((_, reject) => (stall = reject));
    // Handled where it is raced; a body that stalls between two reads must not be an unhandled rejection.
    this.#stalled.catch(() => {});
    this.#pace = new BodyPace(limits, (refusal) => {
      stall((this.#refused = new BodyRefused(refusal)));
      this.release();
    });
  }

  /** The next chunk, or null at the end. */
  async next(): Promise<Uint8Array | null> {
    if (this.#refused) throw this.#refused;
    const next = await Promise.race([this.#reader.read(), this.#stalled]);
    if (next.done) {
      this.#pace.stop();
      return null;
    }
    this.size += next.value.byteLength;
    if (this.size > this.#maxBytes) {
      this.release();
      throw tooLarge(this.#maxBytes);
    }
    this.#pace.received(next.value.byteLength);
    return next.value;
  }

  /** Stops reading: no more checks, and the body is left to the runtime edge. */
  release(): void {
    this.#pace.stop();
    // A read still pending is rejected by the release, and nobody waits for it any more.
    try {
      this.#reader.releaseLock();
    } catch {
      // Already released.
    }
  }
}

function tooLarge(maxBytes: number): BodyRefused {
  return new BodyRefused(refuse.tooLarge(`The request body is larger than the gateway's limit of ${maxBytes} bytes (MAX_REQUEST_BODY_MB).`));
}
