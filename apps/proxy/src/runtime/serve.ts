/**
 * The only runtime-specific code of the server: Bun and Deno each start an HTTP server their own way.
 * Everything behind `fetch` is web-standard.
 */
export interface ServeOptions {
  port: number;
  hostname: string;
  maxRequestBodyBytes: number;
  fetch: (request: Request) => Response | Promise<Response>;
}

export interface RunningServer {
  port: number;
  hostname: string;
  /** Stops accepting connections; resolves when in-flight requests are done. */
  stop(): Promise<void>;
  runtime: "bun" | "deno";
}

declare const Bun: any;
declare const Deno: any;

export async function serve(options: ServeOptions): Promise<RunningServer> {
  if (typeof Bun !== "undefined") {
    const server = Bun.serve({
      port: options.port,
      hostname: options.hostname,
      // A backstop only: the gateway answers oversized bodies itself, AWS-shaped, below this.
      maxRequestBodySize: options.maxRequestBodyBytes + 1024 * 1024,
      // Long generations and slow streams must not be cut by the default 10 s idle timeout.
      idleTimeout: 0,
      fetch: options.fetch,
    });
    return { port: server.port, hostname: options.hostname, runtime: "bun", stop: () => server.stop(false) };
  }
  if (typeof Deno !== "undefined") {
    let listening: (port: number) => void;
    const ready = new Promise<number>((resolve) => (listening = resolve));
    const server = Deno.serve(
      { port: options.port, hostname: options.hostname, onListen: ({ port }: { port: number }) => listening(port) },
      options.fetch,
    );
    const port = await ready;
    return { port, hostname: options.hostname, runtime: "deno", stop: () => server.shutdown() };
  }
  throw new Error("The gateway runs on Bun (`bun run apps/proxy`) or Deno (`deno run -A apps/proxy/src/index.ts`).");
}
