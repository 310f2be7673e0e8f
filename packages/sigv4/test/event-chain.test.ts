import { describe, expect, it } from "vitest";
import { PassThrough, Readable } from "node:stream";
import { Sha256 } from "@aws-crypto/sha256-js";
import { eventStreamPayloadHandlerProvider } from "@aws-sdk/eventstream-handler-node";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { eventChainSigner, eventChainVerifier, SigV4Error } from "../src/index.ts";

const creds = { accessKeyId: "BGWAEXAMPLE000000001", secretAccessKey: "secret/one" };
const seed = "a".repeat(64);
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const event = (text: string) =>
  codec.encode({
    headers: { ":event-type": { type: "string", value: "chunk" }, ":message-type": { type: "string", value: "event" } },
    body: fromUtf8(JSON.stringify({ bytes: btoa(text) })),
  });
const inputs = [event("sessionStart"), event("promptStart"), event("sessionEnd"), new Uint8Array(0)];
const verifier = (overrides: Partial<Parameters<typeof eventChainVerifier>[0]> = {}) =>
  eventChainVerifier({ ...creds, region: "us-east-1", seedSignature: seed, ...overrides });

/** What the AWS SDK itself writes on the wire: its event-stream payload handler, given a request signed with `seed`. */
async function framesSignedBySdk(events: Uint8Array[]): Promise<Uint8Array[]> {
  const signer = new SignatureV4({ service: "bedrock", region: "us-east-1", credentials: creds, sha256: Sha256 });
  const handler = eventStreamPayloadHandlerProvider({ messageSigner: async () => signer, utf8Encoder: toUtf8, utf8Decoder: fromUtf8, credentials: async () => creds } as never);
  const frames: Uint8Array[] = [];
  await handler.handle(
    async (args: any) => {
      for await (const frame of args.request.body as PassThrough) frames.push(frame);
      return { output: {}, response: {} } as never;
    },
    { request: { headers: { authorization: `AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=${seed}` }, body: Readable.from(events, { objectMode: true }) } } as never,
  );
  return frames;
}

describe("signed event streams: the envelope chain of InvokeModelWithBidirectionalStream", () => {
  it("opens every envelope the AWS SDK signed, in order, and gives back the events (the last one empty: end of input)", async () => {
    const frames = await framesSignedBySdk(inputs);
    expect(frames).toHaveLength(4);
    const chain = verifier();
    const opened = [];
    for (const frame of frames) opened.push(await chain.open(frame));
    expect(opened).toEqual(inputs);
  });

  it("the gateway's signer writes the same chain the SDK writes: a verifier with the same secret and seed opens it", async () => {
    const signer = eventChainSigner({ credentials: creds, region: "us-east-1", seedSignature: seed });
    const frames = await Promise.all(inputs.map((e) => signer.sign(e)));
    const chain = verifier();
    for (const [i, frame] of frames.entries()) expect(await chain.open(frame)).toEqual(inputs[i]);
  });

  it.each([
    ["a link out of order (two events swapped)", async (f: Uint8Array[]) => [f[1]!, f[0]!], {}],
    ["an event whose payload was changed", async (f: Uint8Array[]) => [tamperPayload(f[0]!)], {}],
    ["a chain seeded from another request's signature", async (f: Uint8Array[]) => f, { seedSignature: "b".repeat(64) }],
    ["a chain signed with another secret", async (f: Uint8Array[]) => f, { secretAccessKey: "secret/two" }],
    ["a frame without an envelope", async () => [event("bare")], {}],
    ["an event dated more than five minutes away", async (f: Uint8Array[]) => f, { nowMs: () => Date.now() + 6 * 60_000 }],
  ])("refuses %s, and stays refused", async (_name, frames, overrides) => {
    const chain = verifier(overrides);
    const sent = await frames(await framesSignedBySdk(inputs));
    let error: unknown;
    for (const frame of sent) {
      error = await chain.open(frame).then(() => null, (e) => e);
      if (error) break;
    }
    expect(error).toBeInstanceOf(SigV4Error);
    expect((error as SigV4Error).type).toMatch(/InvalidSignatureException|IncompleteSignatureException/);
    // A broken chain has no next link: even the right next frame is refused.
    const again = await chain.open((await framesSignedBySdk(inputs))[0]!).catch((e) => e);
    expect(again).toBeInstanceOf(SigV4Error);
  });
});

/** The same envelope with one payload byte changed, re-encoded so the frame's CRCs are valid again. */
function tamperPayload(frame: Uint8Array): Uint8Array {
  const envelope = codec.decode(frame);
  const body = envelope.body.slice();
  body[body.length - 3] ^= 1;
  return codec.encode({ headers: envelope.headers, body });
}
