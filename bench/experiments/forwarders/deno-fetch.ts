/**
 * Floor for a Deno gateway: Deno.serve + SigV4 + fetch. `READ=byob` reads the upstream body in JS (into a 16 KiB
 * buffer, as a metering gateway must) instead of passing it to the response untouched.
 */
import { signFor, upstream } from "./upstream.ts";

declare const Deno: { serve(options: object, handler: (request: Request) => Promise<Response>): unknown };

function readInJs(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader({ mode: "byob" });
  let buffer = new Uint8Array(16 * 1024);
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read(buffer);
      if (done || !value) return controller.close();
      controller.enqueue(value.slice());
      buffer = new Uint8Array(value.buffer);
    },
    cancel: () => reader.cancel(),
  });
}

Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }: { port: number }) => console.log(`listening on http://127.0.0.1:${port}`) }, async (request) => {
  const body = new Uint8Array(await request.arrayBuffer());
  const { path, headers } = await signFor(request, body);
  const res = await fetch(upstream.origin + path, { method: "POST", headers, body });
  const relayed = process.env.READ === "byob" ? readInJs(res.body!) : res.body;
  return new Response(relayed, { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "" } });
});
