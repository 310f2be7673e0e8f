/**
 * The gateway's own JavaScript cost per call, with nothing else in the way: the real gateway (virtual key,
 * SQLite store in a temp file, every plugin) driven in-process through `app.fetch`, with the upstream fetch
 * answered in-process by a canned Converse reply. No sockets, no Bedrock, no load generator: what remains is
 * key check, admission, signing, usage metering, spend row, metrics and log line (plus Request/Response objects).
 *
 *   npx bun bench/tools/gateway-js-cost.ts [calls]             CPU µs per call (whole process, threads included)
 *   bun --cpu-prof-md bench/tools/gateway-js-cost.ts       the same with a Bun CPU profile
 *   deno run -A bench/tools/gateway-js-cost.ts [calls]     on Deno
 *
 * A tool for profiling the hot path (see bench/README.md), not a benchmark of the gateway against anything.
 */
/// <reference path="../../apps/proxy/src/store/sqlite/node-sqlite.d.ts" />
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readConfig } from "../../apps/proxy/src/config.ts";
import { assembleGateway } from "../../apps/proxy/src/compose/gateway.ts";

const UPSTREAM = "http://127.0.0.1:9";
const calls = Number(process.argv[2] ?? 40_000);
const concurrency = 16;

const dir = mkdtempSync(path.join(tmpdir(), "gateway-js-cost-"));
const env = {
  MASTER_KEY: "sk-cost-master-00000000000000000000",
  DATABASE_URL: `sqlite:${path.join(dir, "gateway.sqlite")}`,
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE000000000",
  AWS_SECRET_ACCESS_KEY: "example/secret/0000000000000000000000000",
  AWS_REGION: "us-east-1",
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: UPSTREAM,
};
Object.assign(process.env, env);

const reply = JSON.stringify({
  output: { message: { role: "assistant", content: [{ text: "word ".repeat(20).trim() }] } },
  stopReason: "end_turn",
  usage: { inputTokens: 12, outputTokens: 20, totalTokens: 32 },
  metrics: { latencyMs: 10 },
});
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  if (!String(input).startsWith(UPSTREAM)) return realFetch(input, init);
  return new Response(reply, { status: 200, headers: { "content-type": "application/json", "content-length": String(reply.length), "x-amzn-requestid": crypto.randomUUID() } });
}) as typeof fetch;

// Request log lines would go to the terminal; the cost of writing them is part of what is measured.
const gateway = await assembleGateway(readConfig(env));
const minted = await gateway.app.fetch(
  new Request("http://localhost/key/generate", { method: "POST", headers: { authorization: `Bearer ${env.MASTER_KEY}`, "content-type": "application/json" }, body: "{}" }),
);
const { key } = (await minted.json()) as { key: string };
const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello there, how are you today?" }] }], inferenceConfig: { maxTokens: 100 } });
const url = "http://localhost/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";

async function call() {
  const res = await gateway.app.fetch(new Request(url, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body }));
  if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}
// A turn of the event loop between waves, as a server has: a call's bookkeeping runs after its answer
// (setImmediate), and without the turn it would pile up behind calls answered only through microtasks.
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
async function run(n: number) {
  for (let i = 0; i < n; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, n - i) }, call));
    await nextTurn();
  }
}

await run(2_000); // warm-up: JIT, key cache, prepared statements
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(calls);
await gateway.drain(5_000); // the last spend rows are stored: their cost is part of the calls'
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
rmSync(dir, { recursive: true, force: true });
console.error(`${calls} calls: ${((cpu.user + cpu.system) / calls).toFixed(1)} µs CPU per call, ${((wall * 1000) / calls).toFixed(1)} µs wall per call`);
process.exit(0);
