import type { StreamFrame } from "./eventstream-decoder.ts";
import { chunkJson } from "./invoke-stream.ts";
import { at, count } from "./json.ts";
import type { StreamUsageReader } from "./stream-reader.ts";
import { type Usage, zeroTokens } from "./types.ts";

interface SpeechCounts {
  inputSpeech: number;
  inputText: number;
  outputSpeech: number;
  outputText: number;
}

/** `{input: {speechTokens, textTokens}, output: {...}}`, as a usageEvent's `details.delta` and `details.total` give them. */
function countsOf(details: unknown): SpeechCounts | null {
  const read = (side: string, kind: string) => count(at(details, side, kind));
  const counts = { inputSpeech: read("input", "speechTokens"), inputText: read("input", "textTokens"), outputSpeech: read("output", "speechTokens"), outputText: read("output", "textTokens") };
  if (Object.values(counts).every((n) => n === undefined)) return null;
  return { inputSpeech: counts.inputSpeech ?? 0, inputText: counts.inputText ?? 0, outputSpeech: counts.outputSpeech ?? 0, outputText: counts.outputText ?? 0 };
}

/**
 * InvokeModelWithBidirectionalStream (Nova Sonic): output `chunk` events whose `bytes` are base64 of
 * `{"event": {...}}`. Each `usageEvent` reports the tokens used since the previous one (`details.delta`: speech and
 * text, in and out) and the session's running total (`details.total`). The deltas are summed, so a session that
 * ends early (the client gone, a stream cut) still counts everything reported until then; a usageEvent without a
 * delta counts through its total. Speech tokens are part of the input and output counts and also given apart,
 * because they cost far more than text.
 */
export function speechStreamUsageReader(): StreamUsageReader {
  const summed: SpeechCounts = { inputSpeech: 0, inputText: 0, outputSpeech: 0, outputText: 0 };
  let usageEvents = 0;
  let outputEvents = 0;
  return {
    frame(frame: StreamFrame) {
      const output = chunkJson(frame);
      if (output !== undefined) outputEvents++;
      const usage = at(output, "event", "usageEvent");
      if (usage === undefined) return;
      usageEvents++;
      const delta = countsOf(at(usage, "details", "delta"));
      const total = countsOf(at(usage, "details", "total"));
      for (const k of Object.keys(summed) as (keyof SpeechCounts)[]) {
        if (delta) summed[k] += delta[k];
        else if (total) summed[k] = Math.max(summed[k], total[k]);
      }
    },
    result(): Usage {
      if (usageEvents === 0) return { ...zeroTokens(), source: "usage-events", note: `no usageEvent in ${outputEvents} output events: tokens unknown`, complete: false };
      const { inputSpeech, inputText, outputSpeech, outputText } = summed;
      return {
        ...zeroTokens(),
        inputTokens: inputSpeech + inputText,
        outputTokens: outputSpeech + outputText,
        speechTokens: { input: inputSpeech, output: outputSpeech },
        source: "usage-events",
        complete: true,
      };
    },
    hasUsage: () => usageEvents > 0,
  };
}
