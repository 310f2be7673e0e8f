/**
 * Carries a client's connection, byte for byte, to the Deno.serve on a loopback port that answers it: HTTP/1.1 as
 * it came, HTTP/2 through a filter of the client's bytes (h2-goaway-filter.ts). That server keeps everything Deno
 * does (keep-alive, pipelining, HTTP/2 limits and flood defences, its close after a refusal). A close on either
 * side ends the other once what is already written is delivered.
 */
import net from "node:net";
import type { Duplex, Transform } from "node:stream";

export function relayTo(port: number, socket: Duplex, clientBytes?: Transform): void {
  const inner = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  // Both ways, small writes go out at once: HTTP/2 writes each frame apart, and Nagle would hold one back until the
  // previous was acknowledged.
  inner.setNoDelay(true);
  if (socket instanceof net.Socket) socket.setNoDelay(true);
  if (clientBytes) socket.pipe(clientBytes).pipe(inner);
  else socket.pipe(inner);
  inner.pipe(socket);
  const destroy = () => {
    socket.destroy();
    inner.destroy();
  };
  socket.on("error", destroy);
  inner.on("error", destroy);
  // The server closed (an answer with `Connection: close`, a refusal, shutdown): the client's connection ends after
  // the last byte, even while the client is still sending.
  inner.once("close", () => {
    if (socket.writableFinished) return void socket.destroy();
    socket.once("finish", () => socket.destroy());
    socket.end();
  });
  socket.once("close", () => inner.destroy());
}
