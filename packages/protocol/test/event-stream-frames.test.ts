import { describe, expect, it } from "vitest";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { EventStreamFormatError, FrameTooLargeError, readFrames } from "../src/index.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const frame = (text: string) => codec.encode({ headers: { ":event-type": { type: "string", value: "chunk" } }, body: fromUtf8(text) });
const frames = [frame("a"), frame("b".repeat(3000)), frame("")];
const all = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
frames.reduce((offset, f) => (all.set(f, offset), offset + f.byteLength), 0);

function body(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}
const chunked = (size: number) => Array.from({ length: Math.ceil(all.byteLength / size) }, (_, i) => all.slice(i * size, (i + 1) * size));
async function read(stream: ReadableStream<Uint8Array>, max?: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of readFrames(stream, max)) out.push(f);
  return out;
}

describe("readFrames", () => {
  it.each([
    ["all in one chunk", [all]],
    ["1-byte chunks (the prelude split too)", chunked(1)],
    ["7-byte chunks", chunked(7)],
    ["a frame per chunk", frames],
  ])("gives each frame whole, in order: %s", async (_name, chunks) => {
    expect(await read(body(chunks))).toEqual(frames);
  });

  it("refuses a frame announcing more than the limit from its first 4 bytes, reading no further", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(pulled === 1 ? frames[1]!.slice(0, 4) : new Uint8Array(1024));
      },
    });
    const error = await read(stream, 1024).catch((e) => e);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ declaredBytes: frames[1]!.byteLength, maxBytes: 1024 });
    expect(pulled).toBe(1);
  });

  it("a body that ends inside a frame, or announces an impossible length, is not an event stream", async () => {
    await expect(read(body([all.slice(0, all.byteLength - 3)]))).rejects.toBeInstanceOf(EventStreamFormatError);
    await expect(read(body([new Uint8Array([0, 0, 0, 3])]))).rejects.toBeInstanceOf(EventStreamFormatError);
  });

  it("stop ends the frames even while a read waits for bytes that never come", async () => {
    const stop = new AbortController();
    const frames0 = readFrames(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(frames[0]!) }), undefined, stop.signal);
    expect((await frames0.next()).value).toEqual(frames[0]);
    const pending = frames0.next();
    stop.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});
