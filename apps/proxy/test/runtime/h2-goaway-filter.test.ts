import { describe, expect, it } from "vitest";
import { withoutClientGoaway } from "../../src/runtime/h2-goaway-filter.ts";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

function frame(type: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

const settings = frame(0x4, 0, Buffer.from([0, 3, 0, 0, 0, 100]));
const headers = frame(0x1, 1, Buffer.from("header block, with a GOAWAY type byte \x07 inside", "latin1"));
const data = frame(0x0, 1, Buffer.alloc(20_000, 7));
const goaway = frame(0x7, 0, Buffer.concat([Buffer.alloc(8), Buffer.from("debug data")]));
const rst = frame(0x3, 1, Buffer.from([0, 0, 0, 8]));

/** Feeds the bytes in pieces of `size` and returns everything that came out. */
async function through(bytes: Buffer, size: number): Promise<Buffer> {
  const filter = withoutClientGoaway();
  const out: Buffer[] = [];
  filter.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => filter.on("end", resolve));
  for (let at = 0; at < bytes.length; at += size) filter.write(bytes.subarray(at, at + size));
  filter.end();
  await ended;
  return Buffer.concat(out);
}

describe("the client's GOAWAY kept from Deno.serve (h2-goaway-filter)", () => {
  const input = Buffer.concat([PREFACE, settings, headers, data, goaway, rst, goaway]);
  const expected = Buffer.concat([PREFACE, settings, headers, data, rst]);

  it.each([1, 2, 5, 9, 10, 24, 25, 1000, 100_000])("removes every GOAWAY frame and nothing else, fed %i bytes at a time", async (size) => {
    expect((await through(input, size)).equals(expected)).toBe(true);
  });

  it("passes a connection without GOAWAY unchanged", async () => {
    const clean = Buffer.concat([PREFACE, settings, headers, data, rst]);
    expect((await through(clean, 7)).equals(clean)).toBe(true);
  });
});
