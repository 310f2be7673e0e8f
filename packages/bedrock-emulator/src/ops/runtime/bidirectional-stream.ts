/**
 * POST /model/{modelId}/invoke-with-bidirectional-stream: a small Nova Sonic-shaped speech session. Input and
 * output are both event streams of `chunk` events whose `bytes` hold `{"event": {...}}` JSON; every input event
 * arrives in a signed envelope whose signature is checked against the chain before the event is read. Output is
 * written as input arrives: each USER content block that ends gets a turn (ASR transcript for audio, the reply as
 * text and as audio, a `usageEvent`), so output interleaves with the client's input.
 */
import { FrameTooLargeError, readFrames } from "@bedrock-gateway/protocol";
import { SigV4Error } from "@bedrock-gateway/sigv4";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { base64ToUtf8, utf8ToBase64 } from "../../base64.ts";
import type { JsonObject, OpContext } from "../../context.ts";
import { encodeError, encodeEvent, encodeException, sleep } from "../../eventstream.ts";
import { headersOnce } from "../../headers.ts";
import type { SpeechUsage } from "../../options.ts";
import { countWords, replyWords } from "../../usage.ts";

/** Input audio (16 kHz, 16-bit mono LPCM) is counted at 50 speech tokens a second. */
export const INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN = 640;
/** Output audio (24 kHz, 16-bit mono LPCM), 50 speech tokens a second. */
export const OUTPUT_AUDIO_BYTES_PER_SPEECH_TOKEN = 960;
/** Speech tokens of the spoken reply, per reply word. */
export const SPEECH_TOKENS_PER_REPLY_WORD = 2;
/** Nova Sonic's own limit on one input event (an audio chunk is a few KB). */
const MAX_INPUT_EVENT_BYTES = 1024 * 1024;
/**
 * Bun and Deno end a request body cleanly when the client resets its HTTP/2 stream, and tell the abort a moment
 * later (measured 1-10 ms): an input that stops without its end-of-input frame waits this long for that abort
 * before the session is closed as complete.
 */
const ABORT_GRACE_MS = 250;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

interface Content {
  type: string;
  role: string;
  text: string;
  audioBytes: number;
}

class SessionError extends Error {
  constructor(
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

export function bidirectionalStream(ctx: OpContext): Response {
  const input = ctx.events!;
  const record = ctx.record;
  const usage: SpeechUsage = { input: { speechTokens: 0, textTokens: 0 }, output: { speechTokens: 0, textTokens: 0 } };
  if (record) record.session = { inputEvents: 0, usage };
  const sessionId = crypto.randomUUID();
  const contents = new Map<string, Content>();
  /** Input tokens not yet reported in a usageEvent's delta. */
  const pendingInput = { speechTokens: 0, textTokens: 0 };
  let promptName: string | null = null;
  let completionId: string | null = null;
  let sessionEnded = false;
  let closed = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelledBeforeEnd: () => void = () => {};
  const cancelled = new Promise<void>((resolve) => (cancelledBeforeEnd = resolve));
  ctx.streams.started++;

  const ids = () => ({ sessionId, promptName, completionId });
  const emit = async (event: JsonObject) => {
    if (closed) return;
    if (ctx.eventDelayMs > 0) await sleep(ctx.eventDelayMs, ctx.signal);
    if (!closed) controller.enqueue(encodeEvent("chunk", { bytes: utf8ToBase64(JSON.stringify({ event })) }));
  };
  const close = (last?: Uint8Array) => {
    if (closed) return;
    closed = true;
    if (last) controller.enqueue(last);
    controller.close();
  };

  const turn = async (content: Content, contentName: string) => {
    if (completionId === null) {
      completionId = crypto.randomUUID();
      await emit({ completionStart: ids() });
    }
    if (content.type === "AUDIO") {
      const asr = crypto.randomUUID();
      await emit({ contentStart: { ...ids(), contentId: asr, type: "TEXT", role: "USER", additionalModelFields: JSON.stringify({ generationStage: "FINAL" }), textOutputConfiguration: { mediaType: "text/plain" } } });
      await emit({ textOutput: { ...ids(), contentId: asr, role: "USER", content: `(${content.audioBytes} bytes of speech in ${contentName})` } });
      await emit({ contentEnd: { ...ids(), contentId: asr, type: "TEXT", stopReason: "PARTIAL_TURN" } });
    }
    const words = replyWords(ctx.control);
    const text = crypto.randomUUID();
    await emit({ contentStart: { ...ids(), contentId: text, type: "TEXT", role: "ASSISTANT", additionalModelFields: JSON.stringify({ generationStage: "SPECULATIVE" }), textOutputConfiguration: { mediaType: "text/plain" } } });
    await emit({ textOutput: { ...ids(), contentId: text, role: "ASSISTANT", content: words.join(" ") } });
    await emit({ contentEnd: { ...ids(), contentId: text, type: "TEXT", stopReason: "PARTIAL_TURN" } });
    const speechTokens = words.length * SPEECH_TOKENS_PER_REPLY_WORD;
    const audio = crypto.randomUUID();
    await emit({ contentStart: { ...ids(), contentId: audio, type: "AUDIO", role: "ASSISTANT", audioOutputConfiguration: { mediaType: "audio/lpcm", sampleRateHertz: 24000, sampleSizeBits: 16, channelCount: 1, encoding: "base64", audioType: "SPEECH" } } });
    await emit({ audioOutput: { ...ids(), contentId: audio, role: "ASSISTANT", content: btoa("\0".repeat(speechTokens * OUTPUT_AUDIO_BYTES_PER_SPEECH_TOKEN)) } });
    await emit({ contentEnd: { ...ids(), contentId: audio, type: "AUDIO", stopReason: "END_TURN" } });
    const delta = { input: { ...pendingInput }, output: { speechTokens, textTokens: words.length } };
    pendingInput.speechTokens = pendingInput.textTokens = 0;
    usage.output.speechTokens += delta.output.speechTokens;
    usage.output.textTokens += delta.output.textTokens;
    const totalInputTokens = usage.input.speechTokens + usage.input.textTokens;
    const totalOutputTokens = usage.output.speechTokens + usage.output.textTokens;
    await emit({
      usageEvent: { ...ids(), details: { delta, total: structuredClone(usage) }, totalInputTokens, totalOutputTokens, totalTokens: totalInputTokens + totalOutputTokens },
    });
  };

  const handle = async (event: JsonObject) => {
    const [name] = Object.keys(event);
    const body = (event[name!] ?? {}) as JsonObject;
    if (name !== "sessionStart" && record?.session?.inputEvents === 1) throw new SessionError("validationException", "The first event of a session must be sessionStart.");
    switch (name) {
      case "sessionStart":
        return;
      case "promptStart":
        promptName = String(body.promptName ?? "");
        return;
      case "contentStart":
        contents.set(String(body.contentName), { type: String(body.type ?? "TEXT"), role: String(body.role ?? "USER"), text: "", audioBytes: 0 });
        return;
      case "textInput":
        contentOf(body).text += String(body.content ?? "");
        return;
      case "audioInput":
        contentOf(body).audioBytes += atob(String(body.content ?? "")).length;
        return;
      case "contentEnd": {
        const content = contentOf(body);
        contents.delete(String(body.contentName));
        const speech = Math.ceil(content.audioBytes / INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN);
        const textTokens = countWords(content.text);
        usage.input.speechTokens += speech;
        usage.input.textTokens += textTokens;
        pendingInput.speechTokens += speech;
        pendingInput.textTokens += textTokens;
        if (content.role === "USER") await turn(content, String(body.contentName));
        return;
      }
      case "promptEnd":
        if (completionId !== null) await emit({ completionEnd: { ...ids(), stopReason: "END_TURN" } });
        completionId = null;
        return;
      case "sessionEnd":
        sessionEnded = true;
        return;
      default:
        throw new SessionError("validationException", `Unknown input event ${JSON.stringify(name)}.`);
    }
  };
  const contentOf = (body: JsonObject): Content => {
    const content = contents.get(String(body.contentName));
    if (!content) throw new SessionError("validationException", `No contentStart for content ${JSON.stringify(body.contentName)}.`);
    return content;
  };

  const run = async () => {
    let endOfInput = false;
    try {
      for await (const frame of readFrames(input.body, MAX_INPUT_EVENT_BYTES + 1024)) {
        const inner = await input.chain.open(frame);
        if (endOfInput) throw new SessionError("validationException", "An input event arrived after the end of input.");
        if (inner.byteLength === 0) {
          // The body's own end follows; reading on to it leaves the request stream to end as the client ends it.
          endOfInput = true;
          continue;
        }
        if (record?.session) record.session.inputEvents++;
        await handle(readChunk(inner));
        if (closed) return;
      }
      if (!endOfInput && !sessionEnded) await Promise.race([cancelled, sleep(ABORT_GRACE_MS)]);
      if (closed) return;
      ctx.streams.completed++;
      close();
    } catch (error) {
      if (closed) return;
      if (record) record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (error instanceof SigV4Error) return close(encodeError(error.type, error.message));
      if (error instanceof SessionError) return close(encodeException(error.exceptionType, error.message));
      if (error instanceof FrameTooLargeError) return close(encodeException("validationException", `An input event is larger than ${MAX_INPUT_EVENT_BYTES} bytes.`));
      close(encodeException("internalServerException", error instanceof Error ? error.message : String(error)));
    }
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        void run();
      },
      cancel() {
        if (!closed) ctx.streams.cancelled++;
        closed = true;
        cancelledBeforeEnd();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: 200, headers: headersOnce(ctx.baseHeaders, { "content-type": "application/vnd.amazon.eventstream" }) });
}

/** An input event: a `chunk` whose `bytes` are base64 of `{"event": {...}}`. */
function readChunk(inner: Uint8Array): JsonObject {
  let message;
  try {
    message = codec.decode(inner);
  } catch (error) {
    throw new SessionError("validationException", `An input event is not a well-formed event-stream message: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const type = message.headers[":event-type"]?.value;
  if (type !== "chunk") throw new SessionError("validationException", `Unknown input event type ${JSON.stringify(type)}: expected chunk.`);
  try {
    const { bytes } = JSON.parse(toUtf8(message.body)) as { bytes: string };
    const { event } = JSON.parse(base64ToUtf8(bytes)) as { event: JsonObject };
    if (typeof event !== "object" || event === null) throw new Error("no event object");
    return event;
  } catch (error) {
    throw new SessionError("validationException", `Malformed input event: ${error instanceof Error ? error.message : String(error)}.`);
  }
}
