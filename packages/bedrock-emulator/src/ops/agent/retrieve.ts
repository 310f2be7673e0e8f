/** Retrieve, RetrieveAndGenerate and RetrieveAndGenerateStream against a fake knowledge base. */
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";
import { runInference } from "../../inference.ts";
import { jsonResponse, streamResponse } from "../../responses.ts";

const PASSAGES = [
  "The Bedrock emulator answers every request deterministically.",
  "Usage numbers are the word counts of the request and the reply.",
  "Streams are paced by eventDelayMs and can fail on demand.",
];

function reference(i: number) {
  return {
    content: { type: "TEXT", text: PASSAGES[i % PASSAGES.length] },
    location: { type: "S3", s3Location: { uri: `s3://emulator-kb/doc-${i + 1}.txt` } },
    metadata: { "x-amz-bedrock-kb-source-uri": `s3://emulator-kb/doc-${i + 1}.txt` },
  };
}

export function retrieve(ctx: OpContext): Response {
  const cfg = ctx.body.retrievalConfiguration as { vectorSearchConfiguration?: { numberOfResults?: number } } | undefined;
  const n = Math.max(1, Math.min(100, cfg?.vectorSearchConfiguration?.numberOfResults ?? PASSAGES.length));
  const retrievalResults = Array.from({ length: n }, (_, i) => ({ ...reference(i), score: Math.round((0.9 - i * 0.05) * 1000) / 1000 }));
  return jsonResponse(ctx, { retrievalResults });
}

function citation(text: string) {
  return {
    generatedResponsePart: { textResponsePart: { text, span: { start: 0, end: Math.max(0, text.length - 1) } } },
    retrievedReferences: [reference(0)],
  };
}

function sessionIdOf(ctx: OpContext): string {
  return typeof ctx.body.sessionId === "string" ? ctx.body.sessionId : crypto.randomUUID();
}

export function retrieveAndGenerate(ctx: OpContext): Response {
  const { replyText } = runInference(ctx);
  return jsonResponse(ctx, { sessionId: sessionIdOf(ctx), output: { text: replyText }, citations: [citation(replyText)] });
}

export function retrieveAndGenerateStream(ctx: OpContext): Response {
  const inf = runInference(ctx);
  function* events(): Generator<StreamEvent> {
    for (const text of inf.chunks) yield { eventType: "output", payload: { text } };
    yield { eventType: "citation", payload: { citation: citation(inf.replyText), ...citation(inf.replyText) } };
  }
  return streamResponse(ctx, events(), "internalServerException", { "x-amzn-bedrock-knowledge-base-session-id": sessionIdOf(ctx) });
}
