/**
 * What a cross-region failover adds to a call: the real gateway process in front of two emulators standing for
 * us-east-1 and us-west-2. One model is served at once by us-east-1 (direct success); for another, us-east-1
 * answers every call with ThrottlingException and us-west-2 serves it (one throttled attempt, then success).
 * Breakers are set never to open, so every failover call pays the throttled attempt. Two gateways: backoff 0
 * (the mechanism alone: the extra round trip, re-signing) and the default jittered backoff (25 ms base).
 *
 *   npx bun bench/tools/failover-latency.ts [calls per row per round]     → bench/results/failover.json and .md
 *
 * Sequential calls (one in flight), interleaved rounds, so machine noise lands on every row alike.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv } from "../../apps/proxy/test/support/fixture.ts";
import { startGateway, type GatewayProcess } from "../../apps/proxy/test/support/gateway-process.ts";

const perRound = Number(process.argv[2] ?? 300);
const rounds = 3;
const MASTER = "sk-bench-failover-master";
const DIRECT = "anthropic.claude-3-haiku-20240307-v1:0";
const THROTTLED = "anthropic.claude-3-sonnet-20240229-v1:0";

const east = await startEmulator({ port: 0, regions: ["us-east-1"], recordRequests: false, faults: [{ model: THROTTLED, error: "ThrottlingException" }] });
const west = await startEmulator({ port: 0, regions: ["us-west-2"], recordRequests: false });

const gatewayWith = (backoffBaseMs: number | undefined) =>
  startGateway({
    ...emulatorEnv(east),
    MASTER_KEY: MASTER,
    GATEWAY_FAILOVER: JSON.stringify({
      routes: [{ model: "anthropic.*", regions: ["us-east-1", "us-west-2"] }],
      endpoints: { "us-east-1": east.url, "us-west-2": west.url },
      breaker_failures: 1000,
      ...(backoffBaseMs !== undefined && { backoff_base_ms: backoffBaseMs }),
    }),
  });

const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello there, how are you today?" }] }] });
async function call(gateway: GatewayProcess, model: string, expectRegion: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${gateway.url}/bedrock/model/${encodeURIComponent(model)}/converse`, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
    body,
  });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200 || res.headers.get("x-gateway-region") !== expectRegion) throw new Error(`unexpected answer ${res.status} from ${res.headers.get("x-gateway-region")}`);
  return ms;
}

const noBackoff = await gatewayWith(0);
const defaultBackoff = await gatewayWith(undefined);
const rows = [
  { name: "direct success (us-east-1)", run: () => call(noBackoff, DIRECT, "us-east-1") },
  { name: "failover, backoff 0 (429 in us-east-1, then us-west-2)", run: () => call(noBackoff, THROTTLED, "us-west-2") },
  { name: "failover, default backoff (25 ms base, full jitter)", run: () => call(defaultBackoff, THROTTLED, "us-west-2") },
];
const samples = rows.map(() => [] as number[]);
for (const row of rows) for (let i = 0; i < 50; i++) await row.run(); // warm-up: connections, JIT
for (let round = 0; round < rounds; round++) {
  for (const [i, row] of rows.entries()) for (let n = 0; n < perRound; n++) samples[i]!.push(await row.run());
}
await Promise.all([noBackoff.stop(), defaultBackoff.stop()]);
await Promise.all([east.close(), west.close()]);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const results = rows.map((row, i) => {
  const sorted = samples[i]!.sort((a, b) => a - b);
  return { name: row.name, calls: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99) };
});
const base = results[0]!;
const round2 = (n: number) => Math.round(n * 100) / 100;
const table = [
  "| call | calls | p50 ms | p90 ms | p99 ms | p50 added vs direct |",
  "|---|---|---|---|---|---|",
  ...results.map((r) => `| ${r.name} | ${r.calls} | ${round2(r.p50)} | ${round2(r.p90)} | ${round2(r.p99)} | ${r === base ? "–" : `+${round2(r.p50 - base.p50)} ms`} |`),
].join("\n");

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "../results");
const when = new Date().toISOString();
writeFileSync(path.join(out, "failover.json"), JSON.stringify({ when, perRound, rounds, results }, null, 2) + "\n");
writeFileSync(
  path.join(out, "failover.md"),
  `# Failover latency (${when})\n\n\`npx bun bench/tools/failover-latency.ts ${perRound}\`: the gateway process (Bun) in front of two emulators on loopback, ` +
    `sequential calls, ${rounds} interleaved rounds, client-measured round trip of a Converse call.\n\n${table}\n`,
);
console.log(table);
