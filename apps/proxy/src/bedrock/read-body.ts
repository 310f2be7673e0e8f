/** A request body over the gateway's limit; answered 413 before anything goes upstream. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the gateway's limit of ${limit} bytes (MAX_REQUEST_BODY_MB).`);
  }
}

/**
 * How fast a body must arrive: within `graceMs`, plus one second per `minBytesPerS` bytes. A client trickling a
 * byte every few seconds would otherwise hold its connection, and the memory read so far, for ever.
 */
export interface BodyPace {
  graceMs: number;
  minBytesPerS: number;
}

export const DEFAULT_BODY_PACE: BodyPace = { graceMs: 10_000, minBytesPerS: 64 * 1024 };

/** A body that arrived slower than the pace allows; answered 408 and never forwarded. */
export class BodyTooSlow extends Error {
  constructor(readonly pace: BodyPace) {
    super(
      `The request body arrived too slowly: it must be complete within ${pace.graceMs / 1000} s plus 1 s per ` +
        `${Math.round(pace.minBytesPerS / 1024)} KiB (BODY_READ_TIMEOUT_MS, BODY_MIN_RATE_KIB_S).`,
    );
  }
}

/**
 * Reads the whole body (SigV4 signs its hash, so it must be complete before forwarding), never more than `limit`
 * bytes and never slower than `pace`: the runtimes have no body timeout of their own (idle timeouts are off so
 * that long streams live), and Deno's server has no size limit, so a huge or trickled upload must not be buffered.
 */
export async function readBodyWithin(request: Request, limit: number, pace: BodyPace = DEFAULT_BODY_PACE): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > limit) throw new BodyTooLarge(limit);
  const startedAt = Date.now();
  const allowedMs = (bytes: number) => pace.graceMs + (bytes / pace.minBytesPerS) * 1000;
  if (Number.isFinite(declared)) {
    // The length is known: one deadline for the whole body, and the runtime's native read.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tooSlow = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BodyTooSlow(pace)), allowedMs(declared))));
    const read = request.arrayBuffer();
    try {
      const bytes = new Uint8Array(await Promise.race([read, tooSlow]));
      if (bytes.byteLength > limit) throw new BodyTooLarge(limit);
      return bytes;
    } catch (error) {
      read.catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  // No length declared (chunked, HTTP/2 without content-length): count and pace as it arrives.
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array(0);
  let slow = false;
  // Re-armed as bytes arrive: the allowance grows with what has been received.
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    timer = setTimeout(() => {
      if (Date.now() - startedAt < allowedMs(size)) return arm();
      slow = true;
      void reader.cancel().catch(() => {});
    }, Math.max(0, startedAt + allowedMs(size) - Date.now()));
  };
  arm();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      size += next.value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new BodyTooLarge(limit);
      }
      parts.push(next.value);
    }
  } finally {
    clearTimeout(timer!);
  }
  if (slow) throw new BodyTooSlow(pace);
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
