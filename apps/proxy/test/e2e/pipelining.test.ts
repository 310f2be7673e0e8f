import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-pipelining";
const BODY = JSON.stringify({ messages: [{ role: "user", content: [{ text: "pipelined" }] }] });
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
});
afterAll(async () => stack?.stop());

/** Two Converse requests in one write (HTTP/1.1 pipelining); everything the server sends until it closes or 3 s pass. */
function pipelined(): Promise<string> {
  const one = `POST /bedrock/model/amazon.nova-lite-v1%3A0/converse HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
  return new Promise((resolve) => {
    const socket = net.connect(stack.gateway.port, "127.0.0.1", () => socket.write(one + one));
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString()));
    socket.on("error", () => {});
    socket.on("close", () => resolve(data));
    setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, 3_000);
  });
}

describe(`HTTP/1.1 pipelining on /bedrock (${proxyRuntime})`, () => {
  it.skipIf(proxyRuntime !== "deno")("Deno answers both requests, in order", async () => {
    const answer = await pipelined();
    expect(answer.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });

  // A known Bun limitation, documented in the README: Bun.serve closes a connection when a second request arrives
  // before an asynchronous answer to the first is written, and sends nothing (oven-sh/bun#38128, open). When this
  // test fails, Bun has fixed it: turn it into the Deno test above and update the README.
  it.skipIf(proxyRuntime !== "bun")("Bun closes the connection without an answer (known, upstream)", async () => {
    const answer = await pipelined();
    expect(answer).toBe("");
  });
});
