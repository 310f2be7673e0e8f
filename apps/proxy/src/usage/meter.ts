import { concatBytes } from "@bedrock-gateway/protocol";
import type { UsageKind } from "@bedrock-gateway/api-types";
import type { BodyTap, RelayOutcome } from "../bedrock/relay.ts";
import { errorMessage } from "../error-message.ts";
import { agentUsageReader } from "./agent.ts";
import { converseUsage } from "./converse.ts";
import { converseStreamReader } from "./converse-stream.ts";
import { EventStreamDecoder, type StreamFrame } from "./eventstream-decoder.ts";
import { flowUsage } from "./flow.ts";
import { guardrailUsageFromBody } from "./guardrail.ts";
import { invokeBodyTokens } from "./invoke/index.ts";
import { tokensFromInvokeHeaders } from "./invoke/headers.ts";
import { invokeStreamUsageReader } from "./invoke-stream.ts";
import { speechStreamUsageReader } from "./speech-stream.ts";
import { asyncInvokeUsage } from "./async-invoke.ts";
import { anthropicOneHourCacheWrites } from "./invoke/anthropic.ts";
import { embeddingInputImages, imageModelOf, imagesFromAnswer, imagesFromRequest } from "./images.ts";
import { at, parseJson } from "./json.ts";
import { rerankUsage } from "./rerank.ts";
import { inlineAgentModel, requestJson, retrieveAndGenerateModel } from "./request-body.ts";
import { openAiStreamUsageReader, openAiUsage } from "./openai.ts";
import { anthropicMessagesUsage, anthropicStreamUsageReader } from "./anthropic-messages.ts";
import { createParser } from "eventsource-parser";
import { retrieveAndGenerateUsage } from "./retrieve-and-generate.ts";
import type { StreamUsageReader } from "./stream-reader.ts";
import { type Usage, zeroTokens } from "./types.ts";

/** A body tap that reads usage as the response passes. It never throws into the relay and never changes a byte. */
export interface UsageMeter extends BodyTap {
  chunk(bytes: Uint8Array): void;
  end(outcome: RelayOutcome): void;
  /**
   * The usage of the call: final after `end`, and before it (or after a cut) what was seen so far.
   * Null when the call is not metered: a non-2xx response, or an operation whose kind is `none`.
   */
  result(): Usage | null;
}

export interface UsageMeterInit {
  /** The model id or ARN from the request path, for picking the InvokeModel body family. */
  modelId: string | null;
  /** Upstream status: only 2xx responses are metered. */
  status: number;
  /** Upstream response headers (InvokeModel token counts, content-encoding). */
  headers: Headers;
  /** Cap on the copy of a JSON body kept for parsing; beyond it usage is "unreadable". Default 8 MiB. */
  maxBodyBytes?: number;
  /** The request body: Rerank and StartAsyncInvoke are billed by what it asks; some operations name their model only there. */
  requestBody?: Uint8Array | null;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Creates the usage meter for one upstream response.
 *
 * @example
 * const meter = createUsageMeter(call.route.operation?.usage ?? "none", { modelId: call.modelId, status: upstream.status, headers: upstream.headers });
 * // the pipeline's relay step feeds it every chunk; meter.result() is the usage its record steps see
 */
export function createUsageMeter(kind: UsageKind, init: UsageMeterInit): UsageMeter {
  if (init.status < 200 || init.status > 299) return fixedMeter(null);
  switch (kind) {
    case "none":
      return fixedMeter(null);
    case "count-tokens":
      return fixedMeter({ ...zeroTokens(), source: "free", note: "CountTokens is not billed", complete: true });
    case "retrieve-and-generate":
      return withModelFromBody(fixedMeter(retrieveAndGenerateUsage()), init.requestBody, retrieveAndGenerateModel);
    case "rerank":
      return fixedMeter(rerankUsage(init.requestBody));
    case "async-invoke":
      return fixedMeter(asyncInvokeUsage(init.requestBody));
    case "flow":
      return fixedMeter(flowUsage());
    case "invoke": {
      // Image models bill per image: counted in the answer (sized from the images), or from the request.
      const imageModel = imageModelOf(init.modelId);
      if (imageModel) {
        return jsonBodyMeter(init, (body) => imagesFromAnswer(imageModel, body, init.requestBody), "the answer had no images", imagesFromRequest(imageModel, init.requestBody));
      }
      return withEmbeddingInputs(invokeMeter(init), init);
    }
    case "converse":
      return jsonBodyMeter(init, (body) => converseUsage(body, "converse-body"), "the Converse response had no usage");
    case "guardrail":
      return jsonBodyMeter(init, guardrailUsageFromBody, "the guardrail response had no usage");
    case "converse-stream":
      return eventStreamMeter(converseStreamReader());
    case "invoke-stream":
      return eventStreamMeter(invokeStreamUsageReader(init.modelId));
    case "bidirectional-stream":
      return eventStreamMeter(speechStreamUsageReader());
    case "invoke-agent":
      return withModelFromBody(eventStreamMeter(agentUsageReader()), init.requestBody, inlineAgentModel);
    case "openai-chat":
    case "openai-responses":
      // The same operation answers JSON, or server-sent events when the request set `stream`.
      if ((init.headers.get("content-type") ?? "").startsWith("text/event-stream")) return serverSentEventMeter(openAiStreamUsageReader());
      return jsonBodyMeter(init, (body) => openAiUsage(body, "openai-usage"), "the answer had no usage");
    case "anthropic-messages":
      if ((init.headers.get("content-type") ?? "").startsWith("text/event-stream")) return serverSentEventMeter(anthropicStreamUsageReader());
      return jsonBodyMeter(init, anthropicMessagesUsage, "the answer had no usage");
    default: {
      const unknownKind: never = kind;
      return fixedMeter({ ...zeroTokens(), source: "unreadable", note: `no usage reader for ${String(unknownKind)}`, complete: false });
    }
  }
}

/** InvokeModel on a token-billed model: the token-count headers, else the model family's body. */
function invokeMeter(init: UsageMeterInit): UsageMeter {
  const fromHeaders = tokensFromInvokeHeaders(init.headers);
  if (fromHeaders && fromHeaders.cacheWriteInputTokens > 0) {
    // The headers do not say which cache writes had a 1-hour TTL; an Anthropic body does.
    const headerUsage: Usage = { ...fromHeaders, source: "invoke-headers", complete: true };
    return jsonBodyMeter(init, (body) => {
      const oneHour = anthropicOneHourCacheWrites(at(body, "usage"));
      return oneHour === undefined ? headerUsage : { ...headerUsage, cacheWrite1hInputTokens: oneHour };
    }, "", headerUsage);
  }
  if (fromHeaders) return fixedMeter({ ...fromHeaders, source: "invoke-headers", complete: true });
  return jsonBodyMeter(init, (body) => {
    const tokens = invokeBodyTokens(init.modelId, body);
    return tokens ? { ...tokens, source: "invoke-body", complete: true } : null;
  }, "no token-count headers and no usage fields in the model's response body");
}

/**
 * Multimodal embeddings: the images of the request are billed per image on top of the text tokens the answer
 * reports; video or audio input (billed per second, unreported) leaves the cost unknown with the reason.
 */
function withEmbeddingInputs(meter: UsageMeter, init: UsageMeterInit): UsageMeter {
  const inputs = embeddingInputImages(init.modelId, init.requestBody);
  if (!inputs) return meter;
  return {
    ...meter,
    result() {
      const usage = meter.result();
      if (!usage || usage.source === "unreadable" || usage.source === "not-exposed") return usage;
      if ("unpriced" in inputs) return { ...usage, source: "not-exposed", note: inputs.unpriced };
      return { ...usage, units: { ...usage.units, inputImages: inputs.images } };
    },
  };
}

/** Adds the model the request body names (for operations whose path names none) to the meter's usage. */
function withModelFromBody(meter: UsageMeter, requestBody: Uint8Array | null | undefined, modelOf: (json: unknown) => string | undefined): UsageMeter {
  let modelId: string | undefined | null = null;
  return {
    ...meter,
    result() {
      const usage = meter.result();
      if (!usage) return usage;
      if (modelId === null) {
        const parsed = requestJson(requestBody);
        modelId = "json" in parsed ? modelOf(parsed.json) : undefined;
      }
      return modelId ? { ...usage, modelId } : usage;
    },
  };
}

function fixedMeter(usage: Usage | null): UsageMeter {
  return { chunk() {}, end() {}, result: () => (usage ? { ...usage } : null) };
}

function unreadable(note: string): Usage {
  return { ...zeroTokens(), source: "unreadable", note, complete: false };
}

function cutDescription(outcome: RelayOutcome | null): string {
  if (!outcome) return "the body has not ended";
  return outcome.kind === "client-cancel" ? "the client cancelled the stream" : `the upstream stream failed (${errorMessage((outcome as { error: unknown }).error)})`;
}

/**
 * Non-streaming JSON bodies: keep a copy up to the cap, parse once at the end. With `fallback`, a body that cannot
 * be read gives that usage instead of "unreadable" (figures already known from the headers).
 */
function jsonBodyMeter(init: UsageMeterInit, read: (body: unknown) => Usage | null, missing: string, fallback?: Usage): UsageMeter {
  const cap = init.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const encoding = (init.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  let skipped: string | null = encoding === "identity" || encoding === "" ? null : `the body is ${encoding}-encoded`;
  let parts: Uint8Array[] = [];
  let size = 0;
  let outcome: RelayOutcome | null = null;
  let final: Usage | null = null;

  const compute = (): Usage => {
    const usage = readBody();
    return fallback && usage.source === "unreadable" ? fallback : usage;
  };
  const readBody = (): Usage => {
    if (skipped) return unreadable(`usage not read: ${skipped}`);
    if (outcome?.kind !== "complete") return unreadable(`usage unknown: ${cutDescription(outcome)} before the JSON body was complete`);
    const body = concatBytes(parts, size);
    let json: unknown;
    try {
      json = parseJson(body);
    } catch (error) {
      return unreadable(`the response body is not JSON: ${errorMessage(error)}`);
    }
    return read(json) ?? unreadable(missing);
  };

  return {
    chunk(bytes) {
      if (skipped || outcome) return;
      size += bytes.byteLength;
      if (size > cap) {
        skipped = `the body is larger than the ${cap}-byte metering cap`;
        parts = [];
        return;
      }
      parts.push(bytes.slice());
    },
    end(relayOutcome) {
      if (outcome) return;
      outcome = relayOutcome;
      try {
        final = compute();
      } catch (error) {
        final = unreadable(`usage reader failed: ${errorMessage(error)}`);
      }
      parts = [];
    },
    result() {
      if (final) return { ...final };
      try {
        return compute();
      } catch (error) {
        return unreadable(`usage reader failed: ${errorMessage(error)}`);
      }
    },
  };
}

/** Event streams: decode frames incrementally as chunks pass; the reader keeps only running totals. */
function eventStreamMeter(reader: StreamUsageReader): UsageMeter {
  let failure: string | null = null;
  let exception: string | null = null;
  let outcome: RelayOutcome | null = null;
  let bytesSeen = 0;
  const decoder = new EventStreamDecoder((frame: StreamFrame) => {
    if (frame.kind === "exception") exception ??= frame.exceptionType;
    else if (frame.kind === "error") exception ??= frame.errorCode;
    else reader.frame(frame);
  });

  const compute = (): Usage => {
    let usage: Usage;
    try {
      usage = reader.result();
    } catch (error) {
      return unreadable(`usage reader failed: ${errorMessage(error)}`);
    }
    if (failure) {
      if (!reader.hasUsage()) return unreadable(`event stream unreadable after ${bytesSeen} bytes: ${failure}`);
      return { ...usage, complete: false, note: join(usage.note, `event stream unreadable after ${bytesSeen} bytes (${failure}): figures are those read before`) };
    }
    // Bedrock's own end-of-call figures stay final even if the connection broke just after them.
    const reportedFinal = usage.complete && (usage.source === "invocation-metrics" || usage.source === "stream-metadata");
    if (reportedFinal) return usage;
    if (exception) return { ...usage, complete: false, note: join(usage.note, `the stream ended with ${exception}`) };
    if (outcome?.kind !== "complete") return { ...usage, complete: false, note: join(usage.note, `${cutDescription(outcome)} after ${bytesSeen} bytes`) };
    return usage;
  };

  return {
    chunk(bytes) {
      if (failure || outcome) return;
      bytesSeen += bytes.byteLength;
      try {
        decoder.push(bytes);
      } catch (error) {
        failure = errorMessage(error);
      }
    },
    end(relayOutcome) {
      if (outcome) return;
      outcome = relayOutcome;
      if (!failure && relayOutcome.kind === "complete" && decoder.pendingBytes > 0) failure = `${decoder.pendingBytes} bytes of an incomplete frame at the end`;
    },
    result: compute,
  };
}

/** What reads usage from a server-sent-event stream, one event (its data and name) at a time. */
interface EventUsageReader {
  event(data: string, name?: string): void;
  result(): Usage;
  /** The final figures have been seen. */
  hasUsage(): boolean;
}

/**
 * Server-sent events (OpenAI- and Anthropic-compatible streams): parsed as they pass, holding only the event being
 * received (bounded: a single event over 1 MiB is a stream the meter gives up on, not one it buffers).
 */
function serverSentEventMeter(reader: EventUsageReader): UsageMeter {
  const text = new TextDecoder();
  let failure: string | null = null;
  let outcome: RelayOutcome | null = null;
  const parser = createParser({
    maxBufferSize: 1024 * 1024,
    onEvent: (message) => reader.event(message.data, message.event),
    onError: (error) => {
      failure ??= errorMessage(error);
    },
  });

  return {
    chunk(bytes) {
      if (failure || outcome) return;
      try {
        parser.feed(text.decode(bytes, { stream: true }));
      } catch (error) {
        failure = errorMessage(error);
      }
    },
    end(relayOutcome) {
      outcome ??= relayOutcome;
    },
    result() {
      const usage = reader.result();
      if (failure) return { ...usage, complete: false, note: join(usage.note, `event stream unreadable (${failure})`) };
      // The final usage stays final even if the connection broke just after it.
      if (reader.hasUsage() || outcome?.kind === "complete") return usage;
      return { ...usage, complete: false, note: join(usage.note, cutDescription(outcome)) };
    },
  };
}

function join(a: string | undefined, b: string): string {
  return a ? `${a}; ${b}` : b;
}
