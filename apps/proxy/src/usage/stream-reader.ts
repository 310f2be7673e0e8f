import type { StreamFrame } from "./eventstream-decoder.ts";
import type { Usage } from "./types.ts";

/**
 * @internal Reads usage from the decoded frames of one event-stream operation. `frame` may throw on a bad
 * payload (the meter catches it); `result` never throws and returns what was seen so far.
 */
export interface StreamUsageReader {
  frame(frame: StreamFrame): void;
  result(): Usage;
  /** True once any usage figure has been read, so a later failure can keep it rather than discard it. */
  hasUsage(): boolean;
}
