import { concatBytes } from "@bedrock-gateway/protocol";
import type { RoutedCall } from "./route.ts";

/** A request body over the gateway's limit; answered 413 before anything goes upstream. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the gateway's limit of ${limit} bytes (MAX_REQUEST_BODY_MB).`);
  }
}

/** The call's body, read at most once whichever step asks first (gateway SigV4, or the pipeline after admission). */
export function readCallBody(call: RoutedCall, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const { request } = call;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return (call.bodyRead ??= hasBody ? readBodyWithin(request, limit).then((body) => (call.body = body)) : Promise.resolve(null));
}

/**
 * Reads the whole body (SigV4 signs its hash, so it must be complete before forwarding), never more than `limit`
 * bytes: Bun enforces its own limit, Deno's server has none, so a huge upload must not be buffered whole.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > limit) throw new BodyTooLarge(limit);
  if (Number.isFinite(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw new BodyTooLarge(limit);
    return bytes;
  }
  // No length declared (chunked): count as it arrives.
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
    size += next.value.byteLength;
    if (size > limit) {
      await reader!.cancel();
      throw new BodyTooLarge(limit);
    }
    parts.push(next.value);
  }
  return concatBytes(parts, size);
}
