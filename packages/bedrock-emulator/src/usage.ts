/**
 * Deterministic token accounting: input = words the request carried,
 * output = words of the fixed reply. Tests call `expectedUsage` to learn the
 * numbers instead of hard-coding them.
 */
import { controlFor, type EmulatorControl } from "./control.ts";
import { requestText } from "./request-text.ts";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  /** Cache writes by TTL, 1h first, as Bedrock sorts them; present when there were cache writes. */
  cacheDetails?: { ttl: "5m" | "1h"; inputTokens: number }[];
}

export interface ExpectedUsage extends Usage {
  /** The reply text the emulator returns (joined stream deltas equal this). */
  replyText: string;
}

const REPLY = ["Hello", "from", "the", "Bedrock", "emulator."];
export const DEFAULT_REPLY_WORDS = REPLY.length;

export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 160;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

export function replyWords(control: EmulatorControl): string[] {
  const n = Math.max(0, Math.floor(control.replyWords ?? DEFAULT_REPLY_WORDS));
  const words: string[] = new Array(n);
  for (let i = 0; i < n; i++) words[i] = REPLY[i % REPLY.length]!;
  return words;
}

export function usageFor(inputText: string, control: EmulatorControl, replyWordCount: number): Usage {
  const o = control.usage ?? {};
  const inputTokens = o.inputTokens ?? countWords(inputText);
  const outputTokens = o.outputTokens ?? replyWordCount;
  const usage: Usage = {
    inputTokens,
    outputTokens,
    // Bedrock's totalTokens covers cached tokens as well as fresh input and output.
    totalTokens: o.totalTokens ?? inputTokens + outputTokens + (o.cacheReadInputTokens ?? 0) + (o.cacheWriteInputTokens ?? 0),
  };
  if (o.cacheReadInputTokens !== undefined) usage.cacheReadInputTokens = o.cacheReadInputTokens;
  if (o.cacheWriteInputTokens !== undefined) {
    usage.cacheWriteInputTokens = o.cacheWriteInputTokens;
    const oneHour = Math.min(o.cacheWrite1hInputTokens ?? 0, o.cacheWriteInputTokens);
    const details: NonNullable<Usage["cacheDetails"]> = [];
    if (oneHour > 0) details.push({ ttl: "1h", inputTokens: oneHour });
    if (o.cacheWriteInputTokens - oneHour > 0) details.push({ ttl: "5m", inputTokens: o.cacheWriteInputTokens - oneHour });
    if (details.length > 0) usage.cacheDetails = details;
  }
  return usage;
}

/**
 * The usage the emulator will report for `requestBody` sent to `operation`
 * (AWS operation name: "Converse", "ConverseStream", "InvokeModel",
 * "InvokeModelWithResponseStream", "InvokeAgent", "CountTokens", ...).
 * `requestBody` may be the object, its JSON string, or the raw bytes.
 */
export function expectedUsage(requestBody: unknown, operation: string): ExpectedUsage {
  const body = typeof requestBody === "string" || requestBody instanceof Uint8Array ? parseBody(requestBody) : requestBody;
  const control = controlFor(operation, body);
  const words = replyWords(control);
  return { ...usageFor(requestText(operation, body), control, words.length), replyText: words.join(" ") };
}

function parseBody(raw: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
  } catch {
    return undefined;
  }
}
