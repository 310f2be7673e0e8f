/**
 * Serving on Deno: Deno.serve answers everything (HTTP/1.1 and HTTP/2, with its limits and flood defences), on a
 * loopback port behind the public one. In front, protocol-front.ts tells HTTP/2 from HTTP/1.1 (and ends TLS), and
 * loopback-relay.ts carries each connection through, removing the client's GOAWAY from HTTP/2 connections
 * (h2-goaway-filter.ts): Deno 2.9.6 resets open streams when it receives one, which cut every event stream the AWS
 * SDK for JavaScript opens. Deno's `node:http2` server does not have that bug, but it aborts the process under
 * ordinary concurrent load (2.9.6: "free(): invalid pointer", nghttp2 assertions; two connections of ten streams).
 */
import { withoutClientGoaway } from "./h2-goaway-filter.ts";
import { relayTo } from "./loopback-relay.ts";
import { listenFront } from "./protocol-front.ts";
import { internalErrorResponse, withTarget } from "./request-target.ts";
import type { TlsFiles } from "./tls-files.ts";

type Fetch = (request: Request) => Response | Promise<Response>;

declare const Deno: any;

export interface DenoServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * `front: false` (DENO_HTTP2_FRONT=false) serves Deno.serve on the public port itself: HTTP/1.1 without the relay's
 * cost (bench/results/deno-h2-front.md), for deployments whose clients never speak HTTP/2 to the gateway.
 */
export async function serveOnDeno(options: { port: number; hostname: string; tls?: TlsFiles | null; front: boolean }, fetch: Fetch): Promise<DenoServer> {
  if (!options.front) {
    const server = await denoServe({ port: options.port, hostname: options.hostname, ...(options.tls ?? {}) }, fetch);
    return { port: server.port, stop: server.shutdown };
  }
  const inner = await denoServe({ port: 0, hostname: "127.0.0.1" }, options.tls ? behindTls(fetch) : fetch);
  const front = await listenFront(options, (socket, protocol) => relayTo(inner.port, socket, protocol === "h2" ? withoutClientGoaway() : undefined)).catch(
    async (error) => {
      await inner.shutdown();
      throw nativeListenError(options) ?? error;
    },
  );
  return {
    port: front.port,
    stop: async () => {
      front.close();
      await inner.shutdown();
    },
  };
}

/**
 * Why the port cannot be had, as Deno itself says it: its node:net reports EINVAL where the system said
 * EADDRNOTAVAIL, and startup-errors.ts words each case for the operator.
 */
function nativeListenError(options: { port: number; hostname: string }): unknown {
  try {
    Deno.listen({ port: options.port, hostname: options.hostname }).close();
    return null;
  } catch (error) {
    return error;
  }
}

/** Deno.serve (HTTP/1.1, h2c with prior knowledge, h2 by ALPN with a certificate): behind the front, or public. */
async function denoServe(listen: { port: number; hostname: string }, fetch: Fetch): Promise<{ port: number; shutdown(): Promise<void> }> {
  let listening: (port: number) => void;
  const ready = new Promise<number>((resolve) => (listening = resolve));
  const server = Deno.serve({ ...listen, onListen: ({ port }: { port: number }) => listening(port), onError: internalErrorResponse }, fetch);
  return { port: await ready, shutdown: () => server.shutdown() };
}

/**
 * TLS ends at the front, so the loopback server sees `http:`; the core reads the scheme the client used. Over
 * HTTP/2 Deno builds the URL from the client's `:scheme`, already `https` (prefixing it again made `httpss:`, and the
 * admin page's cookie lost `Secure`).
 */
function behindTls(fetch: Fetch): Fetch {
  return (request) => fetch(request.url.startsWith("http:") ? withTarget(request, "https" + request.url.slice(4)) : request);
}
