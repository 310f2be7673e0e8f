import { describe, expect, it } from "vitest";
import { createUsageMeter } from "../../src/usage/meter.ts";
import { chunkFrame, feed, ok, splitPlans } from "./frames.ts";

/** Nova Sonic's output: `chunk` events whose bytes are `{"event": {...}}`; usageEvents carry delta and running total. */
const sonic = (event: unknown) => chunkFrame({ event });
const counts = (inSpeech: number, inText: number, outSpeech: number, outText: number) => ({ input: { speechTokens: inSpeech, textTokens: inText }, output: { speechTokens: outSpeech, textTokens: outText } });
const usageEvent = (delta: ReturnType<typeof counts> | undefined, total: ReturnType<typeof counts>) => sonic({ usageEvent: { sessionId: "s", promptName: "p", completionId: "c", details: { ...(delta && { delta }), total } } });
const session = [
  sonic({ completionStart: { sessionId: "s", promptName: "p", completionId: "c" } }),
  sonic({ textOutput: { content: "Hello" } }),
  sonic({ audioOutput: { content: btoa("\0".repeat(96)) } }),
  usageEvent(counts(100, 20, 300, 5), counts(100, 20, 300, 5)),
  sonic({ textOutput: { content: "again" } }),
  usageEvent(counts(50, 0, 200, 4), counts(150, 20, 500, 9)),
  sonic({ completionEnd: { stopReason: "END_TURN" } }),
];
const meter = () => createUsageMeter("bidirectional-stream", { modelId: "amazon.nova-sonic-v1:0", ...ok() });

describe("InvokeModelWithBidirectionalStream (Nova Sonic usageEvents)", () => {
  for (const [plan, chunks] of Object.entries(splitPlans(session))) {
    it(`sums the usageEvents' deltas, speech given apart, split as ${plan}`, () => {
      expect(feed(meter(), chunks)).toEqual({ inputTokens: 170, outputTokens: 509, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, speechTokens: { input: 150, output: 500 }, source: "usage-events", complete: true });
    });
  }

  it("a session the client abandons after its first turn counts that turn, marked incomplete", () => {
    const usage = feed(meter(), session.slice(0, 4), { kind: "client-cancel" });
    expect(usage).toMatchObject({ inputTokens: 120, outputTokens: 305, speechTokens: { input: 100, output: 300 }, complete: false });
    expect(usage?.note).toMatch(/client cancelled/);
  });

  it("a usageEvent without a delta counts through its running total", () => {
    expect(feed(meter(), [usageEvent(undefined, counts(10, 1, 20, 2)), usageEvent(undefined, counts(30, 1, 40, 2))])).toMatchObject({ inputTokens: 31, outputTokens: 42, speechTokens: { input: 30, output: 40 } });
  });

  it("no usageEvent at all: tokens unknown", () => {
    expect(feed(meter(), session.slice(0, 3))).toMatchObject({ inputTokens: 0, outputTokens: 0, source: "usage-events", complete: false, note: expect.stringMatching(/no usageEvent in 3 output events/) });
  });
});
