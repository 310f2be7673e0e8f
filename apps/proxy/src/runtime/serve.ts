/**
 * The only runtime-specific code of the server: Bun and Deno each start an HTTP server their own way.
 * Everything behind `fetch` is web-standard. Both serve HTTP/1.1 and HTTP/2 on the same port: cleartext h2c
 * with prior knowledge (what the AWS SDKs' default handler opens for an `http://` endpoint), or ALPN under TLS.
 * On Deno a front relays both to Deno.serve, mending its HTTP/2 on the way (deno-serve.ts).
 */
import type { BodyLimits } from "../pipeline/read-body.ts";
import { limitRequestBodies } from "./body-limit.ts";
import { closeAfterRefusal as bunCloseAfterRefusal } from "./bun-close-after-refusal.ts";
import { closeAfterRefusal as denoCloseAfterRefusal } from "./deno-close-after-refusal.ts";
import { serveOnDeno } from "./deno-serve.ts";
import { guardRequestTarget, internalErrorResponse } from "./request-target.ts";
import type { TlsFiles } from "./tls-files.ts";

export interface ServeOptions {
  port: number;
  hostname: string;
  /** MAX_REQUEST_BODY_MB, BODY_READ_TIMEOUT_MS and the rate floor, for the bodies the core does not read itself. */
  bodyLimits: BodyLimits;
  fetch: (request: Request) => Response | Promise<Response>;
  /** On Deno, relay through the front that mends Deno.serve's HTTP/2 (deno-serve.ts); default true. */
  denoHttp2Front?: boolean;
  /** Serve HTTPS instead of cleartext. */
  tls?: TlsFiles | null;
}

export interface RunningServer {
  port: number;
  hostname: string;
  protocol: "http" | "https";
  /** Stops accepting connections; resolves when in-flight requests are done. */
  stop(): Promise<void>;
  runtime: "bun" | "deno";
}

declare const Bun: any;
declare const Deno: unknown;

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const fetch = guardRequestTarget(limitRequestBodies(options.fetch, options.bodyLimits));
  const protocol = options.tls ? "https" : "http";
  if (typeof Bun !== "undefined") {
    const server = Bun.serve({
      port: options.port,
      hostname: options.hostname,
      // None of Bun's own (its 413 is bare): limitRequestBodies answers every oversized body AWS-shaped.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
      // Long generations and slow streams must not be cut by the default 10 s idle timeout.
      idleTimeout: 0,
      // Bun's own HTTP/2 server (1.4+): the HTTP/1.1 path stays Bun.serve's, unchanged.
      http2: true,
      tls: options.tls ?? undefined,
      // Never the development error page (working directory, paths, source lines) for a thrown error.
      development: false,
      error: internalErrorResponse,
      fetch: bunCloseAfterRefusal(fetch),
    });
    return { port: server.port, hostname: options.hostname, protocol, runtime: "bun", stop: () => server.stop(false) };
  }
  if (typeof Deno !== "undefined") {
    const server = await serveOnDeno({ ...options, front: options.denoHttp2Front ?? true }, denoCloseAfterRefusal(fetch));
    return { port: server.port, hostname: options.hostname, protocol, runtime: "deno", stop: server.stop };
  }
  throw new Error("The gateway runs on Bun (`bun run apps/proxy`) or Deno (`deno run -A apps/proxy/src/index.ts`).");
}
