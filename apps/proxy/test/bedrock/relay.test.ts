import { describe, expect, it } from "vitest";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { relayBody, type RelayOutcome } from "../../src/bedrock/relay.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const frame = (text: string) =>
  codec.encode({
    headers: { ":message-type": { type: "string", value: "event" }, ":event-type": { type: "string", value: "chunk" } },
    body: fromUtf8(JSON.stringify({ text })),
  });

function source(chunks: Uint8Array[], failAtEnd = false): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else if (failAtEnd) controller.error(new Error("connection reset"));
      else controller.close();
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return bytesOf(parts);
}

function bytesOf(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.byteLength));
  return out;
}

describe("relayBody", () => {
  it("relays event-stream bytes unchanged however upstream splits them, one byte at a time included", async () => {
    const all = bytesOf([frame("a"), frame("bb"), frame("ccc")]);
    const oneByte = [...all].map((b) => new Uint8Array([b]));
    let outcome: RelayOutcome | null = null;
    const out = await drain(relayBody(source(oneByte), { eventStream: true, abortUpstream: () => {}, tap: { end: (o) => (outcome = o) } }));
    expect(out).toEqual(all);
    expect(outcome).toEqual({ kind: "complete" });
  });

  it("a failure inside a frame drops the partial frame and ends with a well-formed exception frame", async () => {
    const whole = frame("complete");
    const partial = frame("never finished").subarray(0, 10);
    const out = await drain(relayBody(source([whole, partial], true), { eventStream: true, abortUpstream: () => {} }));
    expect(out.subarray(0, whole.byteLength)).toEqual(whole);
    const last = codec.decode(out.subarray(whole.byteLength));
    expect(last.headers[":message-type"].value).toBe("exception");
    expect(last.headers[":exception-type"].value).toBe("internalServerException");
    expect(JSON.parse(toUtf8(last.body)).message).toContain("connection reset");
  });

  it("non-stream bodies pass chunk by chunk and errors propagate", async () => {
    const chunks = [fromUtf8('{"a":'), fromUtf8("1}")];
    const seen: number[] = [];
    const out = await drain(relayBody(source(chunks), { eventStream: false, abortUpstream: () => {}, tap: { chunk: (b) => seen.push(b.byteLength) } }));
    expect(toUtf8(out)).toBe('{"a":1}');
    expect(seen).toEqual([5, 2]);
  });

  it("a client cancel aborts upstream and reports client-cancel", async () => {
    let aborted = false;
    let outcome: RelayOutcome | null = null;
    const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const relayed = relayBody(never, { eventStream: true, abortUpstream: () => (aborted = true), tap: { end: (o) => (outcome = o) } });
    await relayed.cancel();
    expect(aborted).toBe(true);
    expect(outcome).toEqual({ kind: "client-cancel" });
  });

  describe("byte-stream upstreams (Deno's fetch bodies)", () => {
    /** A byte source that records the size of every buffer the reader offers it. */
    function byteSource(chunks: Uint8Array[], offered: number[]): ReadableStream<Uint8Array> {
      let i = 0;
      let at = 0;
      return new ReadableStream({
        type: "bytes",
        pull(controller) {
          const request = controller.byobRequest!;
          const view = request.view!;
          offered.push(view.byteLength);
          if (i >= chunks.length) {
            controller.close();
            request.respond(0);
            return;
          }
          const n = Math.min(view.byteLength, chunks[i].byteLength - at);
          new Uint8Array(view.buffer, view.byteOffset, n).set(chunks[i].subarray(at, at + n));
          at += n;
          if (at === chunks[i].byteLength) (i++, (at = 0));
          request.respond(n);
        },
      } as UnderlyingByteSource) as ReadableStream<Uint8Array>;
    }

    it("small events are read into small buffers, never the runtime's 64 KiB default", async () => {
      const frames = [frame("a"), frame("bb"), frame("ccc")];
      const offered: number[] = [];
      const out = await drain(relayBody(byteSource(frames, offered), { eventStream: true, abortUpstream: () => {} }));
      expect(out).toEqual(bytesOf(frames));
      expect(Math.max(...offered)).toBeLessThanOrEqual(4096);
    });

    it("a large body passes unchanged, and buffers grow while reads fill them", async () => {
      const big = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
      const offered: number[] = [];
      const seen: Uint8Array[] = [];
      const out = await drain(relayBody(byteSource([big.subarray(0, 100_000), big.subarray(100_000)], offered), { eventStream: false, abortUpstream: () => {}, tap: { chunk: (b) => seen.push(b) } }));
      // Compared as Buffers: a deep equality over 300,000 elements takes seconds.
      expect(Buffer.from(out).equals(big)).toBe(true);
      // What taps saw is a copy: the read buffer is reused for the next read.
      expect(Buffer.from(bytesOf(seen)).equals(big)).toBe(true);
      expect(Math.max(...offered)).toBe(65536);
      expect(offered.filter((n) => n === 65536).length).toBeGreaterThan(2);
    });
  });

  it("server-sent events: bytes unchanged however split; a failure mid-event ends with a whole OpenAI error event", async () => {
    const utf8 = (t: string) => new TextEncoder().encode(t);
    const events = utf8('data: {"a":1}\n\ndata: {"b":2}\r\n\r\nevent: x\ndata: {"c":3}\n\n');
    const oneByte = [...events].map((b) => new Uint8Array([b]));
    expect(await drain(relayBody(source(oneByte), { eventStream: false, serverSentEvents: true, abortUpstream: () => {} }))).toEqual(events);
    // A last event without its blank line still reaches the client as sent.
    const unterminated = utf8('data: {"a":1}\n\ndata: {"tail":true}');
    expect(await drain(relayBody(source([unterminated]), { eventStream: false, serverSentEvents: true, abortUpstream: () => {} }))).toEqual(unterminated);

    let outcome: RelayOutcome | null = null;
    const cut = await drain(relayBody(source([utf8('data: {"a":1}\n\ndata: {"half')], true), { eventStream: false, serverSentEvents: true, abortUpstream: () => {}, tap: { end: (o) => (outcome = o) } }));
    const text = new TextDecoder().decode(cut);
    expect(text.startsWith('data: {"a":1}\n\ndata: {"error":')).toBe(true);
    expect(JSON.parse(text.split("\n\n")[1]!.slice(6)).error).toMatchObject({ type: "api_error", message: expect.stringContaining("connection reset") });
    expect(outcome).toMatchObject({ kind: "upstream-error" });
  });
});
