/** Binds the fetch handler to a socket with the host runtime's own server (Bun.serve or Deno.serve), HTTP/1.1 and h2c. */
import { createEmulator } from "./emulator.ts";
import type { EmulatorOptions, RunningEmulator } from "./options.ts";

export interface StartOptions extends EmulatorOptions {
  port?: number;
  hostname?: string;
}

interface DenoLike {
  serve(
    opts: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (req: Request) => Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void>; finished: Promise<void> };
}

export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const { port = 0, hostname = "127.0.0.1", ...emulatorOptions } = options;
  const bun = (globalThis as { Bun?: typeof Bun }).Bun;
  const emulator = createEmulator(emulatorOptions, bun !== undefined);
  const handler = (req: Request) => emulator.fetch(req);

  if (bun) {
    // idleTimeout 0: slow benchmark streams must not be cut by Bun's 10 s default. http2: cleartext h2c with prior
    // knowledge next to HTTP/1.1, as AWS serves both (InvokeModelWithBidirectionalStream needs HTTP/2).
    const server = bun.serve({ port, hostname, fetch: handler, idleTimeout: 0, http2: true } as Parameters<typeof bun.serve>[0]);
    const actualPort = server.port!;
    return Object.assign(emulator, {
      url: `http://${hostname}:${actualPort}`,
      port: actualPort,
      close: async () => {
        await server.stop(true);
      },
    });
  }

  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno) {
    const server = deno.serve({ port, hostname, onListen: () => {} }, handler);
    const actualPort = server.addr.port;
    return Object.assign(emulator, {
      url: `http://${hostname}:${actualPort}`,
      port: actualPort,
      close: () => server.shutdown(),
    });
  }

  throw new Error("startEmulator needs Bun or Deno; on other runtimes mount createEmulator().fetch in your own server.");
}
