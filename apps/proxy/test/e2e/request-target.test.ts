import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import net from "node:net";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

const MASTER = "sk-master-request-target";
const CONVERSE = "/bedrock/model/amazon.nova-lite-v1%3A0/converse";
const BODY = JSON.stringify({ messages: [{ role: "user", content: [{ text: "hello" }] }] });

let stack: Stack;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends exactly these bytes on a fresh connection and reads one answer (the server closes or sends its length). */
function raw(head: string, body = ""): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(stack.gateway.port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => finish(), 5_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const split = data.indexOf("\r\n\r\n");
      if (split < 0) return reject(new Error(`no answer: ${JSON.stringify(data)}`));
      const [statusLine, ...lines] = data.slice(0, split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) headers[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
      let rest = data.slice(split + 4);
      if (headers["transfer-encoding"] === "chunked") rest = rest.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, "").replace(/\r\n$/, "");
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: rest });
    };
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const split = data.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.slice(0, split));
      if (split >= 0 && length && data.length - split - 4 >= Number(length[1])) finish();
    });
    socket.on("end", finish);
    socket.on("error", reject);
    socket.write(head + "\r\n\r\n" + body);
  });
}

/** What the clean refusal looks like: small JSON with a message, no HTML page, no path or source line of the server. */
function expectCleanError(answer: RawAnswer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toMatch(/application\/json/);
  expect(answer.body.length).toBeLessThan(1_000);
  expect(typeof JSON.parse(answer.body).message).toBe("string");
  expect(answer.body).not.toContain(process.cwd());
}

beforeAll(async () => {
  stack = await startStack({ MASTER_KEY: MASTER });
});
afterAll(async () => stack?.stop());
beforeEach(() => stack.emulator.reset());

describe(`only the request target routes, never Host; no runtime error pages (${proxyRuntime})`, () => {
  it("HTTP/1.0 without Host can call /bedrock", async () => {
    const answer = await raw(`POST ${CONVERSE} HTTP/1.0\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}`, BODY);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).usage.inputTokens).toBeGreaterThan(0);
    expect(stack.emulator.requests.map((r) => r.verified)).toEqual([true]);
  });

  it("an empty or invalid Host is served by its path", async () => {
    for (const host of ["", "a b", "x/../../", "[::1"]) {
      const answer = await raw(`POST ${CONVERSE} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}`, BODY);
      // Either served by its path or refused by the runtime itself; never a development error page.
      if (answer.status === 400) expect(answer.body.length).toBeLessThan(1_000);
      else expect([host, answer.status]).toEqual([host, 200]);
    }
  });

  it("a Host carrying a path never decides the route (Deno used to build the URL from it)", async () => {
    const listed = await raw(`GET ${CONVERSE} HTTP/1.1\r\nHost: 127.0.0.1:${stack.gateway.port}/key/list?\r\nConnection: close\r\nAuthorization: Bearer ${MASTER}`);
    expect(listed.body).not.toContain('"keys"');
    // Routed by its path: a Bedrock call (relayed upstream as sent), not the admin key list.
    expect(stack.emulator.requests.map((r) => r.rawPath)).toEqual(["/model/amazon.nova-lite-v1%3A0/converse"]);
    stack.emulator.reset();

    const generated = await raw(
      `POST /key/generate HTTP/1.1\r\nHost: x${CONVERSE}?\r\nConnection: close\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nContent-Length: 2`,
      "{}",
    );
    expect(generated.status).toBe(200);
    expect(JSON.parse(generated.body).key).toMatch(/^sk-/);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("a Host shorter than four characters never shifts the route (Elysia looks for the path from the URL's 12th character)", async () => {
    for (const host of ["gw", "a", "ab1"]) {
      const shifted = await raw(`GET /ab/key/list HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nAuthorization: Bearer ${MASTER}`);
      expect([host, shifted.status]).toEqual([host, 404]);
      expect(shifted.body).not.toContain('"keys"');
      const listed = await raw(`GET /key/list HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nAuthorization: Bearer ${MASTER}`);
      expect([host, listed.status]).toEqual([host, 200]);
      expect(listed.body).toContain('"keys"');
    }
  });

  it("CONNECT gets a small JSON 405, not a page", async () => {
    expectCleanError(await raw(`CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443`), 405);
  });
});
