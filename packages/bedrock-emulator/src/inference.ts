/** The deterministic "model run" shared by every generating operation. */
import type { OpContext } from "./context.ts";
import { requestText } from "./request-text.ts";
import { replyWords, usageFor, type Usage } from "./usage.ts";

export interface Inference {
  usage: Usage;
  replyText: string;
  /** Stream deltas; concatenated they equal replyText. One per word unless control.events says otherwise. */
  chunks: string[];
}

export function runInference(ctx: OpContext): Inference {
  const words = replyWords(ctx.control);
  const usage = usageFor(requestText(ctx.operation, ctx.body), ctx.control, words.length);
  const pieces = words.map((w, i) => (i === 0 ? w : ` ${w}`));
  return { usage, replyText: words.join(" "), chunks: splitInto(pieces, ctx.control.events) };
}

function splitInto(pieces: string[], events: number | undefined): string[] {
  if (events === undefined || events <= 0 || events === pieces.length) return pieces.length > 0 ? pieces : [""];
  const n = Math.floor(events);
  const out: string[] = [];
  // Spread pieces evenly; when more events than words are asked for, the tail deltas are empty strings.
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * pieces.length) / n);
    const to = Math.floor(((i + 1) * pieces.length) / n);
    out.push(pieces.slice(from, to).join(""));
  }
  return out;
}
