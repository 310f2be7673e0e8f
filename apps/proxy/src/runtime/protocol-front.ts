/**
 * The gateway's public port on Deno: it tells each connection's protocol and hands the connection on. Cleartext:
 * the HTTP/2 connection preface (prior knowledge, what the AWS SDKs send to an `http://` endpoint) means HTTP/2,
 * anything else HTTP/1.1. TLS ends here, and ALPN decides (`h2`, else HTTP/1.1).
 */
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import type { TlsFiles } from "./tls-files.ts";

/** RFC 9113 §3.4: every HTTP/2 connection starts with these 24 bytes. */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export type Protocol = "h2" | "http/1.1";

export interface Front {
  port: number;
  /** Stops accepting; connections already handed on are left to their server. */
  close(): void;
}

export async function listenFront(options: { port: number; hostname: string; tls?: TlsFiles | null }, handOn: (socket: Duplex, protocol: Protocol) => void): Promise<Front> {
  const server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, ALPNProtocols: ["h2", "http/1.1"], allowHalfOpen: true }, (socket) =>
        handOn(socket, socket.alpnProtocol === "h2" ? "h2" : "http/1.1"),
      )
    : net.createServer({ allowHalfOpen: true }, (socket) => sniffPreface(socket, handOn));
  // A failed handshake ends only its own connection.
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", () => {});
  return { port: (server.address() as net.AddressInfo).port, close: () => void server.close() };
}

/** Reads only until the bytes so far differ from the preface or complete it, then gives them back unread. */
function sniffPreface(socket: net.Socket, handOn: (socket: Duplex, protocol: Protocol) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const fail = () => socket.destroy();
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, PREFACE.length);
    const isPrefix = seen.compare(PREFACE, 0, compared, 0, compared) === 0;
    if (isPrefix && seen.length < PREFACE.length) return;
    socket.off("data", onData);
    socket.off("error", fail);
    socket.pause();
    socket.unshift(seen);
    handOn(socket, isPrefix ? "h2" : "http/1.1");
  };
  socket.on("data", onData);
  socket.on("error", fail);
}
