import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http2 from "node:http2";
import net from "node:net";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-body-floor";
const CONVERSE = "/bedrock/model/amazon.nova-lite-v1%3A0/converse";
/** The path of the bodies that must be cut: the tests run concurrently, so "nothing forwarded" is told by path. */
const CUT = "/bedrock/model/amazon.nova-micro-v1%3A0/converse";
const forwardedCuts = () => stack.emulator.requests.filter((r) => r.rawPath.includes("nova-micro"));
const FLOOR_MESSAGE = /below the gateway's minimum of 200 bytes\/s \(BODY_MIN_BYTES_PER_SEC\)/;
let stack: Stack;

beforeAll(async () => {
  // Test-sized: a floor of 200 bytes/s over 1 s windows, and a total timeout far away (60 s) so only the floor cuts.
  stack = await startStack({ MASTER_KEY: MASTER, BODY_READ_TIMEOUT_MS: "60000", BODY_MIN_BYTES_PER_SEC: "200", BODY_MIN_RATE_WINDOW_MS: "1000" });
});
afterAll(async () => stack?.stop());

/** A valid Converse body of about `size` bytes. */
function converseBody(size: number): Buffer {
  const frame = JSON.stringify({ messages: [{ role: "user", content: [{ text: "" }] }] });
  return Buffer.from(JSON.stringify({ messages: [{ role: "user", content: [{ text: "x".repeat(size - frame.length) }] }] }));
}

interface Trickled {
  status: number;
  text: string;
  answeredMs: number;
  /** When the server closed the connection, or null if it was still open after `waitMs`. */
  closedMs: number | null;
}

/**
 * Sends a head declaring `declared` bytes (1,000,000 unless told), then one byte every `everyMs` (for `sendForMs`, then nothing) until the
 * server closes the connection or `waitMs` passed.
 */
function trickle(head: string, everyMs: number, { waitMs = 20_000, sendForMs = Infinity, declared = 1_000_000 } = {}): Promise<Trickled> {
  return new Promise((resolve) => {
    const socket = net.connect(stack.gateway.port, "127.0.0.1");
    const started = Date.now();
    let text = "";
    let answeredMs = 0;
    const drip = setInterval(() => socket.writable && Date.now() - started < sendForMs && socket.write("x"), everyMs);
    const done = (closedMs: number | null) => {
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ status: Number(text.split(" ")[1]), text, answeredMs, closedMs });
    };
    const giveUp = setTimeout(() => done(null), waitMs);
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (!answeredMs && text.includes("\r\n\r\n")) answeredMs = Date.now() - started;
    });
    socket.on("error", () => {});
    socket.on("close", () => done(Date.now() - started));
    socket.write(`${head}\r\nContent-Length: ${declared}\r\n\r\n{`);
  });
}

// Concurrent: each test waits on its own connection for windows of wall-clock time.
describe.concurrent(`request bodies have a rate floor: BODY_MIN_BYTES_PER_SEC (${proxyRuntime})`, () => {
  it("HTTP/1.1 slow loris on /bedrock (a byte every 300 ms): 408 after one window, nothing forwarded, connection closed", async () => {
    const answer = await trickle(`POST ${CUT} HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json`, 300);
    expect(answer.status).toBe(408);
    expect(answer.text).toMatch(/x-amzn-errortype: RequestTimeoutException/i);
    expect(answer.text).toMatch(FLOOR_MESSAGE);
    // One 1 s window (give or take a loaded machine), not BODY_READ_TIMEOUT_MS's 60 s.
    expect(answer.answeredMs).toBeGreaterThan(900);
    expect(answer.answeredMs).toBeLessThan(10_000);
    // The client keeps sending; the server still ends the connection (Bun and Deno alike, a few seconds later).
    expect(answer.closedMs).not.toBeNull();
    expect(answer.closedMs! - answer.answeredMs).toBeLessThan(12_000);
    expect(forwardedCuts()).toEqual([]);
  }, 30_000);

  it("HTTP/1.1 slow loris with a small declared body (150 bytes, within one window's quota, read whole): 408 after the first window", async () => {
    const answer = await trickle(`POST ${CONVERSE} HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json`, 300, { declared: 150, waitMs: 9_000 });
    expect(answer.status).toBe(408);
    expect(answer.text).toMatch(/The request body of 150 bytes did not arrive within 1000 ms/);
    expect(answer.text).toMatch(FLOOR_MESSAGE);
    expect(answer.answeredMs).toBeGreaterThan(900);
    expect(answer.answeredMs).toBeLessThan(10_000);
    // A whole read goes on after the refusal: Deno keeps the connection until the rest of the 150 bytes came.
    expect(answer.closedMs !== null).toBe(proxyRuntime === "bun");
  }, 30_000);

  it("HTTP/1.1 slow loris on an admin path (the master key's own POST /key/generate): 408, connection closed", async () => {
    const answer = await trickle(`POST /key/generate HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json`, 300);
    expect(answer.status).toBe(408);
    expect(answer.text).toMatch(FLOOR_MESSAGE);
    expect(answer.answeredMs).toBeLessThan(10_000);
    expect(answer.closedMs).not.toBeNull();
  }, 30_000);

  it("a body cut mid-read whose client then sends nothing: 408; Bun closes the connection, Deno keeps it (a known limit)", async () => {
    // Two bytes, then silence while the gateway waits for the third: the floor cuts the call after one window.
    const answer = await trickle(`POST ${CONVERSE} HTTP/1.1\r\nHost: gateway.test\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json`, 300, { sendForMs: 700, waitMs: 12_000 });
    expect(answer.status).toBe(408);
    expect(answer.text).toMatch(FLOOR_MESSAGE);
    if (proxyRuntime === "bun") expect(answer.closedMs).not.toBeNull();
    // Deno cannot abort a pending read of a request body: the socket stays until the client sends or disconnects
    // (runtime/deno-close-after-refusal.ts, SECURITY.md). This notices when that changes.
    else expect(answer.closedMs).toBeNull();
  }, 30_000);

  it("HTTP/1.1: an upload slow but above the floor (1,000 bytes/s for ~3 s, chunked) goes through", async () => {
    const body = converseBody(3_000);
    let offset = 0;
    const res = await fetch(stack.gateway.url + CONVERSE, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
      body: new ReadableStream({
        async pull(controller) {
          if (offset >= body.length) return controller.close();
          if (offset > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          controller.enqueue(new Uint8Array(body.subarray(offset, offset + 100)));
          offset += 100;
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect((await res.json()).output.message.role).toBe("assistant");
  }, 30_000);
});

function h2Session(): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(stack.gateway.url);
    session.once("remoteSettings", () => resolve(session));
    session.once("error", reject);
  });
}

interface H2Answer {
  status: number;
  errorType: string | undefined;
  text: string;
  answeredMs: number;
  /** Resolves when the stream is closed on both sides (ended, or reset by the server). */
  closed: Promise<void>;
}

/**
 * One request on `session`, its body written in `chunk`-byte pieces every `everyMs` (ended when `declared` bytes
 * were written); resolves once the answer has ended.
 */
function h2Paced(session: http2.ClientHttp2Session, body: Buffer, declared: number, chunk: number, everyMs: number, path = CONVERSE): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const stream = session.request({ ":method": "POST", ":path": path, authorization: `Bearer ${MASTER}`, "content-type": "application/json", "content-length": String(declared) });
    let status = 0;
    let errorType: string | undefined;
    let text = "";
    let answeredMs = 0;
    let offset = 0;
    const drip = setInterval(() => {
      if (stream.closed || stream.destroyed || offset >= body.length) return;
      stream.write(body.subarray(offset, offset + chunk));
      offset += chunk;
      if (offset >= body.length && declared === body.length) stream.end();
    }, everyMs);
    const closed = new Promise<void>((done) => stream.on("close", done)).finally(() => clearInterval(drip));
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
      errorType = headers["x-amzn-errortype"] as string | undefined;
      answeredMs = Date.now() - started;
    });
    stream.setEncoding("utf8");
    stream.on("data", (data: string) => (text += data));
    stream.on("error", () => {});
    stream.on("end", () => resolve({ status, errorType, text, answeredMs, closed }));
    void closed.then(() => status || reject(new Error(`stream closed unanswered, rstCode ${stream.rstCode}`)));
  });
}

/** Runs `use` on a fresh h2c session, closed (destroyed, with any stream still open) afterwards. */
async function withSession(use: (session: http2.ClientHttp2Session) => Promise<void>): Promise<void> {
  const session = await h2Session();
  try {
    await use(session);
  } finally {
    session.destroy();
  }
}

const within = (promise: Promise<void>, ms: number) => Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe.concurrent(`HTTP/2 (h2c): the floor ends the slow stream, the connection serves the others (${proxyRuntime})`, () => {
  it("a slow-loris stream gets a 408 and is closed; calls on the same session before, during and after it get 200", async () => {
    await withSession(async (session) => {
      let goaway = false;
      session.on("goaway", () => (goaway = true));
      const normal = () => h2Paced(session, converseBody(200), 200, 200, 1);
      expect((await normal()).status).toBe(200);
      // Declares 1,000,000 bytes, sends a byte every 300 ms.
      const slow = h2Paced(session, Buffer.alloc(1_000_000, 0x20), 1_000_000, 1, 300, CUT);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const during = await normal();
      expect(during.status).toBe(200);
      const cut = await slow;
      expect(await within(cut.closed, 5_000)).toBe(true);
      expect(cut.status).toBe(408);
      expect(cut.errorType).toBe("RequestTimeoutException");
      expect(JSON.parse(cut.text).message).toMatch(FLOOR_MESSAGE);
      expect(cut.answeredMs).toBeGreaterThan(900);
      expect(cut.answeredMs).toBeLessThan(10_000);
      // Only the normal calls went upstream.
      expect(forwardedCuts()).toEqual([]);
      const after = await normal();
      expect(after.status).toBe(200);
      expect(goaway).toBe(false);
      expect(session.closed || session.destroyed).toBe(false);
    });
  }, 30_000);

  it("a stream that sends a few bytes and then nothing: 408, the session still serves; Bun resets the stream, Deno leaves it half-open (a known limit)", async () => {
    await withSession(async (session) => {
      const cut = await h2Paced(session, Buffer.from('{"m'), 1_000_000, 1, 100);
      expect(cut.status).toBe(408);
      expect(JSON.parse(cut.text).message).toMatch(FLOOR_MESSAGE);
      expect((await h2Paced(session, converseBody(200), 200, 200, 1)).status).toBe(200);
      // Deno cannot abort a pending read of a request body: the stream keeps one of the connection's 200 stream
      // slots until the client sends or resets it (runtime/deno-close-after-refusal.ts). This notices when it changes.
      expect(await within(cut.closed, 8_000)).toBe(proxyRuntime === "bun");
    });
  }, 30_000);

  it("an upload slow but above the floor (1,000 bytes/s for ~3 s) goes through on a shared session", async () => {
    await withSession(async (session) => {
      const body = converseBody(3_000);
      const answer = await h2Paced(session, body, body.length, 100, 100);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text).output.message.role).toBe("assistant");
    });
  }, 30_000);
});
