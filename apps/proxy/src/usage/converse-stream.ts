import { converseUsage } from "./converse.ts";
import type { StreamFrame } from "./eventstream-decoder.ts";
import { parseJson } from "./json.ts";
import type { StreamUsageReader } from "./stream-reader.ts";
import { type Usage, zeroTokens } from "./types.ts";

/** ConverseStream: Bedrock reports usage once, in the final `metadata` event. */
export function converseStreamReader(): StreamUsageReader {
  let usage: Usage | null = null;
  let events = 0;
  return {
    frame(frame: StreamFrame) {
      if (frame.kind !== "event") return;
      events++;
      if (frame.eventType === "metadata") usage = converseUsage(parseJson(frame.payload), "stream-metadata") ?? usage;
    },
    result() {
      if (usage) return usage;
      return {
        ...zeroTokens(),
        source: "stream-metadata",
        note: `the stream ended after ${events} events, before the metadata event: Bedrock reported no token counts`,
        complete: false,
      };
    },
    hasUsage: () => usage !== null,
  };
}
