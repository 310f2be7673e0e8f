/** The request bodies every target receives, byte for byte. */
export const MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0";
/** As SDKs send it: the `:` percent-encoded in the path label. */
export const MODEL_PATH = encodeURIComponent(MODEL_ID);

export type Operation = "converse" | "converse-stream";

export interface Payload {
  op: Operation;
  body: Uint8Array;
  /** Stream pacing the emulator applies (0 for non-streaming). */
  eventDelayMs: number;
}

const enc = new TextEncoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v));

const prompt = "You are benchmarking a gateway. Reply with a short sentence about the weather in Lisbon today.";

/** Non-streaming Converse, ~300 B in, a 20-word answer out (~500 B). */
export function conversePayload(): Payload {
  return {
    op: "converse",
    eventDelayMs: 0,
    body: json({
      messages: [{ role: "user", content: [{ text: prompt }] }],
      inferenceConfig: { maxTokens: 64, temperature: 0 },
      additionalModelRequestFields: { emulator: { replyWords: 20 } },
    }),
  };
}

/** ConverseStream: `events` content deltas plus 4 framing events, one every `eventDelayMs`. */
export function streamPayload(events: number, eventDelayMs: number): Payload {
  return {
    op: "converse-stream",
    eventDelayMs,
    body: json({
      messages: [{ role: "user", content: [{ text: prompt }] }],
      inferenceConfig: { maxTokens: 256 },
      additionalModelRequestFields: { emulator: { replyWords: events, events, eventDelayMs } },
    }),
  };
}

/** Non-streaming Converse whose single text block makes the body about `bytes` long. */
export function largePayload(bytes: number): Payload {
  const word = "lorem ipsum dolor sit amet consectetur adipiscing elit ";
  const text = word.repeat(Math.ceil(bytes / word.length)).slice(0, bytes);
  return {
    op: "converse",
    eventDelayMs: 0,
    body: json({
      messages: [{ role: "user", content: [{ text }] }],
      inferenceConfig: { maxTokens: 16 },
      additionalModelRequestFields: { emulator: { replyWords: 5 } },
    }),
  };
}
