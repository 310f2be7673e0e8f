import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAmzDate } from "@bedrock-gateway/sigv4";
import { startStack, type Stack } from "../support/fixture.ts";

/**
 * Issue 15, item 1: a forged SigV4 header with a gateway-style access key id used to make the gateway read a
 * 120 MB body before even the date check. Now the headers are checked first (shape, scope, date and skew, the
 * key id's format and existence): the refusal arrives while the client is still uploading, after a few KB.
 */
const NOVA = "amazon.nova-lite-v1%3A0";

/** Sends the head and `sentBytes` of a body declared much larger, and resolves with the answer's status line (or "none"). */
function partialUpload(port: number, headers: Record<string, string>, sentBytes: number, chunked: boolean, waitMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    const done = (value: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(answer || "none"), waitMs);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes("\r\n\r\n") && answer.includes("}")) done(answer);
    });
    socket.on("error", () => {});
    const framing = chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(120 * 1024 * 1024) };
    const head = [`POST /bedrock/model/${NOVA}/converse HTTP/1.1`, ...Object.entries({ host: `127.0.0.1:${port}`, "content-type": "application/json", ...framing, ...headers }).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
    socket.write(head);
    const body = Buffer.alloc(sentBytes, 0x20);
    socket.write(chunked ? Buffer.concat([Buffer.from(sentBytes.toString(16) + "\r\n"), body, Buffer.from("\r\n")]) : body);
    // ...and nothing more: the rest of the body never comes.
  });
}

const forged = (accessKeyId: string, at: number) => {
  const longDate = formatAmzDate(at);
  return {
    "x-amz-date": longDate,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${longDate.slice(0, 8)}/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
  };
};

describe("SigV4 with gateway credentials: refused from the headers, before the body", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: "sk-master-early", GATEWAY_SECRET_KEY: "x".repeat(48) });
  }, 30_000);
  afterAll(async () => stack?.stop());

  it.each([
    ["a stale date (the issue's case)", forged("BGWAAAAAAAAAAAAAAAAA", Date.UTC(2026, 0, 1)), /403[\s\S]*InvalidSignatureException[\s\S]*Signature expired/],
    ["a date in the future", forged("BGWAAAAAAAAAAAAAAAAA", Date.now() + 3_600_000), /403[\s\S]*Signature not yet current/],
    ["an unknown, well-formed access key id", forged("BGWAAAAAAAAAAAAAAAAA", Date.now()), /403[\s\S]*UnrecognizedClientException/],
    ["an access key id of the wrong shape", forged("BGWA-not-a-real-id", Date.now()), /403[\s\S]*UnrecognizedClientException/],
    ["another service's scope", { ...forged("BGWAAAAAAAAAAAAAAAAA", Date.now()), authorization: forged("BGWAAAAAAAAAAAAAAAAA", Date.now()).authorization.replace("/bedrock/", "/s3/") }, /403[\s\S]*InvalidSignatureException/],
  ])("%s: answered after 64 KiB of a 120 MB upload (content-length and chunked)", async (_name, headers, expected) => {
    for (const chunked of [false, true]) {
      const before = stack.emulator.requests.length;
      const answer = await partialUpload(stack.gateway.port, headers, 64 * 1024, chunked);
      expect(answer, `chunked=${chunked}`).toMatch(expected);
      expect(stack.emulator.requests.length).toBe(before);
    }
  });
});
