import { concatBytes } from "@bedrock-gateway/protocol";
import { refuse, type Refusal } from "./refusal.ts";
import type { RoutedCall } from "./route.ts";

/** How much body the gateway reads, and for how long it waits for it. */
export interface BodyLimits {
  /** MAX_REQUEST_BODY_MB, in bytes. */
  maxBytes: number;
  /** BODY_READ_TIMEOUT_MS. */
  timeoutMs: number;
}

/** A body the gateway will not read: over MAX_REQUEST_BODY_MB (413), or not sent within BODY_READ_TIMEOUT_MS (408). */
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
 * `maxBytes` (Bun enforces its own limit, Deno's server has none, so a huge upload must not be buffered whole) and
 * never waiting longer than `timeoutMs`: a client that stops sending must not hold an admitted call for ever.
 */
export async function readBodyWithin(request: Request, limits: BodyLimits): Promise<Uint8Array<ArrayBuffer>> {
  const { maxBytes, timeoutMs } = limits;
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void reader?.cancel().catch(() => {});
      reject(new BodyRefused(refuse.requestTimeout(`The request body did not arrive within ${timeoutMs} ms (BODY_READ_TIMEOUT_MS).`)));
    }, timeoutMs);
  });

  const read = async (): Promise<Uint8Array<ArrayBuffer>> => {
    if (Number.isFinite(declared)) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
      return bytes;
    }
    // No length declared (chunked): count as it arrives.
    const parts: Uint8Array[] = [];
    let size = 0;
    reader = request.body?.getReader();
    for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
      size += next.value.byteLength;
      if (size > maxBytes) {
        await reader!.cancel();
        throw tooLarge(maxBytes);
      }
      parts.push(next.value);
    }
    return concatBytes(parts, size);
  };

  try {
    return await Promise.race([read(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(maxBytes: number): BodyRefused {
  return new BodyRefused(refuse.tooLarge(`The request body is larger than the gateway's limit of ${maxBytes} bytes (MAX_REQUEST_BODY_MB).`));
}
