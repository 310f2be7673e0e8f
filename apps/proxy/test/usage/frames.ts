/** Builds event-stream bytes as Bedrock sends them, and splits them at awkward places. */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { MessageHeaders } from "@smithy/types";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { RelayOutcome } from "../../src/bedrock/relay.ts";
import type { UsageMeter } from "../../src/usage/meter.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: "string" as const, value });

export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = { ":event-type": str(eventType), ":content-type": str("application/json"), ":message-type": str("event") };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  const headers: MessageHeaders = { ":exception-type": str(exceptionType), ":content-type": str("application/json"), ":message-type": str("exception") };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify({ message })) });
}

/** An InvokeModelWithResponseStream `chunk` event: `{"bytes": base64(model-native JSON)}`. */
export function chunkFrame(native: unknown): Uint8Array {
  return eventFrame("chunk", { bytes: btoa(JSON.stringify(native)) });
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** Cuts `bytes` at the given offsets. */
export function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const at of [...offsets].sort((a, b) => a - b)) {
    if (at <= start || at >= bytes.byteLength) continue;
    out.push(bytes.subarray(start, at));
    start = at;
  }
  out.push(bytes.subarray(start));
  return out;
}

export function oneByteChunks(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.byteLength }, (_, i) => bytes.subarray(i, i + 1));
}

/** Split plans for a sequence of frames: whole frames, 1 byte, mid-prelude, mid-payload, all in one, odd sizes. */
export function splitPlans(frames: Uint8Array[]): Record<string, Uint8Array[]> {
  const all = concat(frames);
  const starts: number[] = [];
  let offset = 0;
  for (const f of frames) {
    starts.push(offset);
    offset += f.byteLength;
  }
  return {
    "whole frames": frames,
    "one chunk": [all],
    "1-byte chunks": oneByteChunks(all),
    "mid-prelude": splitAt(all, starts.flatMap((s) => [s + 3, s + 9])),
    "mid-payload": splitAt(all, frames.map((f, i) => starts[i] + Math.floor(f.byteLength / 2))),
    "7-byte chunks": splitAt(all, Array.from({ length: Math.ceil(all.byteLength / 7) }, (_, i) => i * 7)),
  };
}

export function feed(meter: UsageMeter, chunks: Uint8Array[], outcome: RelayOutcome = { kind: "complete" }) {
  for (const c of chunks) meter.chunk(c);
  meter.end(outcome);
  return meter.result();
}

export const upstreamError: RelayOutcome = { kind: "upstream-error", error: new Error("connection reset") };

export function json(value: unknown): Uint8Array {
  return fromUtf8(JSON.stringify(value));
}

export const ok = (headers: Record<string, string> = {}) => ({ status: 200, headers: new Headers(headers) });
