/** Floor for a Bun gateway: Bun.serve + SigV4 + fetch, nothing else. `npm run bench -- --proxy-entry=<this file>` */
import { signFor, upstream } from "./upstream.ts";

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = new Uint8Array(await request.arrayBuffer());
    const { path, headers } = await signFor(request, body);
    const res = await fetch(upstream.origin + path, { method: "POST", headers, body, decompress: false } as RequestInit);
    return new Response(res.body, { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "" } });
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
process.on("SIGTERM", () => process.exit(0));
