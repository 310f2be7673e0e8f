import { describe, expect, it } from "vitest";
import { EventStreamDecoder, EventStreamFormatError, type StreamFrame } from "../../src/usage/eventstream-decoder.ts";
import { concat, eventFrame, exceptionFrame, splitPlans } from "./frames.ts";

function decodeAll(chunks: Uint8Array[]) {
  const seen: { kind: string; type: string; payload?: string }[] = [];
  const decoder = new EventStreamDecoder((frame: StreamFrame) => {
    if (frame.kind === "event") seen.push({ kind: "event", type: frame.eventType, payload: new TextDecoder().decode(frame.payload) });
    else if (frame.kind === "exception") seen.push({ kind: "exception", type: frame.exceptionType, payload: new TextDecoder().decode(frame.payload) });
    else seen.push({ kind: "error", type: frame.errorCode });
  });
  for (const c of chunks) decoder.push(c);
  return { seen, pending: decoder.pendingBytes };
}

const frames = [
  eventFrame("messageStart", { role: "assistant" }),
  eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "x".repeat(300) } }),
  eventFrame("messageStop", { stopReason: "end_turn" }),
  exceptionFrame("modelStreamErrorException", "boom"),
];

describe("EventStreamDecoder", () => {
  for (const [plan, chunks] of Object.entries(splitPlans(frames))) {
    it(`decodes every frame when split as ${plan}`, () => {
      const { seen, pending } = decodeAll(chunks);
      expect(seen.map((s) => `${s.kind}:${s.type}`)).toEqual([
        "event:messageStart",
        "event:contentBlockDelta",
        "event:messageStop",
        "exception:modelStreamErrorException",
      ]);
      expect(JSON.parse(seen[1].payload!).delta.text).toHaveLength(300);
      expect(pending).toBe(0);
    });
  }

  it("decodes at every possible single split point", () => {
    const all = concat(frames.slice(0, 2));
    for (let at = 1; at < all.byteLength; at++) {
      const { seen } = decodeAll([all.subarray(0, at), all.subarray(at)]);
      expect(seen).toHaveLength(2);
    }
  });

  it("holds back an incomplete frame", () => {
    const all = concat(frames);
    const { seen, pending } = decodeAll([all.subarray(0, all.byteLength - 5)]);
    expect(seen).toHaveLength(3);
    expect(pending).toBe(frames[3].byteLength - 5);
  });

  it("rejects a corrupted frame and an impossible length", () => {
    const bad = eventFrame("metadata", { usage: {} }).slice();
    bad[bad.byteLength - 8] ^= 0xff;
    expect(() => decodeAll([bad])).toThrow(EventStreamFormatError);
    expect(() => decodeAll([new Uint8Array([0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0])])).toThrow(/impossible length/);
  });
});
