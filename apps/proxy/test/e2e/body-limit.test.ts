import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-body-limit";
const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  // A body read timeout test-sized: 1 s.
  stack = await startStack({ MASTER_KEY: MASTER, MAX_REQUEST_BODY_MB: "1", BODY_READ_TIMEOUT_MS: "1000", GATEWAY_SECRET_KEY: "test-only-gateway-secret-key-0123456789abcdef" });
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

/** Declares `length` bytes, then sends one byte every `everyMs` until the server answers; resolves to the answer's head. */
function trickle(head: string, length: number, everyMs: number): Promise<{ status: number; elapsedMs: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(stack.gateway.port, "127.0.0.1");
    const started = Date.now();
    let data = "";
    const drip = setInterval(() => socket.write("x"), everyMs);
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("\r\n\r\n") && data.includes("}")) {
        clearInterval(drip);
        socket.destroy();
        resolve({ status: Number(data.split(" ")[1]), elapsedMs: Date.now() - started, text: data });
      }
    });
    socket.on("error", (error) => {
      clearInterval(drip);
      reject(error);
    });
    socket.write(`${head}\r\nContent-Length: ${length}\r\n\r\n`);
  });
}

describe(`request bodies have a read timeout (${proxyRuntime})`, () => {
  it("a trickled body with a valid key: 408 AWS-shaped at the deadline, nothing forwarded", async () => {
    const before = stack.emulator.requests.length;
    // 2,000 bytes declared, one byte every 200 ms: far from complete when BODY_READ_TIMEOUT_MS (1 s) runs out.
    const answer = await trickle(`POST /bedrock/model/m/converse HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json`, 2_000, 200);
    expect(answer.status).toBe(408);
    expect(answer.text).toMatch(/x-amzn-errortype: RequestTimeoutException/i);
    expect(answer.text).toMatch(/BODY_READ_TIMEOUT_MS/);
    expect(answer.elapsedMs).toBeGreaterThan(800);
    expect(answer.elapsedMs).toBeLessThan(6_000);
    expect(stack.emulator.requests.length).toBe(before);
  });

  it("a trickled body under a forged gateway SigV4 header (read before the signature can be checked): 408 too", async () => {
    const forged = "AWS4-HMAC-SHA256 Credential=BGWAAAAAAAAAAAAAAAAA/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64);
    const answer = await trickle(`POST /bedrock/model/m/converse HTTP/1.1\r\nHost: gw\r\nAuthorization: ${forged}\r\nX-Amz-Date: 20260101T000000Z`, 2_000, 200);
    // Refused either for its pace or, once a cheaper check runs first, for its signature: never after the whole upload.
    expect([408, 403]).toContain(answer.status);
    expect(answer.elapsedMs).toBeLessThan(6_000);
  });

  it("a chunked body trickled past the timeout: 408", async () => {
    let sent = 0;
    const res = await fetch(stack.gateway.url + "/bedrock/model/m/converse", {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
      body: new ReadableStream({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 300));
          if (sent++ > 40) return controller.close();
          controller.enqueue(new Uint8Array([32]));
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(408);
    expect(res.headers.get("x-amzn-errortype")).toBe("RequestTimeoutException");
  });
});

describe(`a connection whose body was refused unread does not stay open (${proxyRuntime})`, () => {
  /**
   * A wrong key with 1,000,000 bytes declared and `{` sent, then one byte every `everyMs` (or nothing more):
   * when the 401 came and when the server closed the connection. Bun ends it by a short idle timeout
   * (runtime/bun-close-after-refusal.ts), Deno by draining the body for a few seconds and then cancelling it
   * (runtime/deno-close-after-refusal.ts); before, Deno drained it for as long as the client sent, or waited for
   * ever for a client that sent nothing.
   */
  async function refusedUnread(everyMs: number | null) {
    const socket = net.connect(stack.gateway.port, "127.0.0.1");
    const started = Date.now();
    let answeredAt = 0;
    let data = "";
    const drip = everyMs === null ? undefined : setInterval(() => socket.writable && socket.write("x"), everyMs);
    const closedAt = await new Promise<number>((resolve, reject) => {
      socket.on("data", (chunk) => {
        data += chunk.toString();
        if (!answeredAt && data.includes("\r\n\r\n")) answeredAt = Date.now();
      });
      socket.on("close", () => resolve(Date.now()));
      socket.on("error", () => {});
      setTimeout(() => reject(new Error(`still open after 20 s; answer so far: ${data.slice(0, 80)}`)), 20_000);
      socket.write(`POST /bedrock/model/m/converse HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer sk-wrong\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{`);
    }).finally(() => {
      clearInterval(drip);
      socket.destroy();
    });
    return { data, answeredMs: answeredAt - started, closedMs: closedAt - started };
  }

  it("a wrong key with 1 MB declared and trickled: 401 at once, connection closed by the server within seconds", async () => {
    const { data, answeredMs, closedMs } = await refusedUnread(300);
    expect(data).toMatch(/^HTTP\/1\.1 401/);
    expect(data).toMatch(/UnrecognizedClientException/);
    expect(answeredMs).toBeLessThan(1_000);
    expect(closedMs).toBeLessThan(15_000);
  }, 30_000);

  it("a wrong key with 1 MB declared and nothing more sent: 401 at once, connection closed within seconds", async () => {
    const { data, answeredMs, closedMs } = await refusedUnread(null);
    expect(data).toMatch(/^HTTP\/1\.1 401/);
    expect(answeredMs).toBeLessThan(1_000);
    expect(closedMs).toBeLessThan(15_000);
  }, 30_000);

  it("a refusal after a body read whole keeps the connection (a client's next request on it is answered)", async () => {
    const socket = net.connect(stack.gateway.port, "127.0.0.1");
    const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "x".repeat(4_000) }] }] });
    const request = (key: string) => `POST /bedrock/model/m/converse HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    let data = "";
    const answers = new Promise<string>((resolve, reject) => {
      socket.on("data", (chunk) => {
        data += chunk.toString();
        if ((data.match(/HTTP\/1\.1 /g) ?? []).length === 2 && data.endsWith("}")) resolve(data);
      });
      socket.on("close", () => reject(new Error(`closed after: ${data.slice(0, 200)}`)));
      socket.on("error", () => {});
    });
    // The master key reads the body, then the model is unknown upstream (a 4xx after the whole body was read).
    socket.write(request(MASTER));
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.write(request(MASTER));
    try {
      const both = await answers;
      expect((both.match(/HTTP\/1\.1 (\d+)/g) ?? []).length).toBe(2);
    } finally {
      socket.destroy();
    }
  }, 30_000);
});
