import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-body-limit";
const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER, MAX_REQUEST_BODY_MB: "1" });
});
afterAll(async () => stack?.stop());

function post(path: string, body: BodyInit, chunked = false): Promise<Response> {
  const stream = chunked && body instanceof Uint8Array ? chunksOf(body) : body;
  return fetch(stack.gateway.url + path, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
}

function chunksOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 256 * 1024));
      offset += 256 * 1024;
    },
  });
}

describe(`MAX_REQUEST_BODY_MB: every size above it gets the AWS-shaped 413 (${proxyRuntime})`, () => {
  for (const size of [MiB + 1, MiB + MiB + 1, 6 * MiB]) {
    for (const chunked of [false, true]) {
      it(`${size} bytes, ${chunked ? "chunked" : "declared"}, on /bedrock and on an admin path`, async () => {
        const before = stack.emulator.requests.length;
        for (const path of ["/bedrock/model/m/converse", "/key/generate"]) {
          const res = await post(path, new Uint8Array(size).fill(32), chunked);
          expect([path, res.status]).toEqual([path, 413]);
          expect(res.headers.get("x-amzn-errortype")).toBe("ValidationException");
          expect((await res.json()).message).toMatch(/MAX_REQUEST_BODY_MB/);
        }
        expect(stack.emulator.requests.length).toBe(before);
      });
    }
  }

  it("a body within the limit still goes through, declared and chunked", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ messages: [{ role: "user", content: [{ text: "x".repeat(MiB - 200) }] }] }));
    expect((await post("/bedrock/model/amazon.nova-lite-v1%3A0/converse", body)).status).toBe(200);
    expect((await post("/bedrock/model/amazon.nova-lite-v1%3A0/converse", body, true)).status).toBe(200);
  });
});
