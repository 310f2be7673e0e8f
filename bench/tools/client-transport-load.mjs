// Runs under Node, as a user's app would: the SDK's BedrockRuntimeClient (what @bedrock-gateway/client returns) on
// HTTP/1.1 (NodeHttpHandler) and on HTTP/2 (the SDK's default NodeHttp2Handler), closed loop at a fixed concurrency,
// rounds interleaved. Prints one JSON line per transport: calls/s, latency, client CPU µs per call and the gateway's.
//   node bench/tools/client-transport-load.mjs BEDROCK_URL KEY GATEWAY_PID [concurrency] [seconds] [rounds]
import { readFileSync } from "node:fs";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { NodeHttp2Handler } from "@smithy/node-http-handler";

const [url, key, gatewayPid, concurrency = "32", seconds = "3", rounds = "4"] = process.argv.slice(2);
const messages = [{ role: "user", content: [{ text: "which transport is faster" }] }];

function gatewayTicks() {
  const stat = readFileSync(`/proc/${gatewayPid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const transports = {
  "HTTP/1.1 (NodeHttpHandler)": () => new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: Number(concurrency) } }),
  "HTTP/2 (SDK default)": () => new NodeHttp2Handler(),
};

async function round(makeHandler) {
  const client = new BedrockRuntimeClient({ region: "us-east-1", endpoint: url, token: { token: key }, authSchemePreference: ["httpBearerAuth"], requestHandler: makeHandler(), maxAttempts: 1 });
  // Warm-up: connections open, code paths compiled.
  await Promise.all(Array.from({ length: Number(concurrency) }, () => client.send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages }))));
  const latencies = [];
  const cpu0 = process.cpuUsage();
  const gw0 = gatewayTicks();
  const t0 = performance.now();
  const end = t0 + Number(seconds) * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: Number(concurrency) }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          await client.send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages }));
          latencies.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const gwTicks = gatewayTicks() - gw0;
  client.destroy();
  latencies.sort((a, b) => a - b);
  const calls = latencies.length;
  return {
    callsPerS: calls / elapsed,
    p50: latencies[Math.floor(calls * 0.5)],
    p99: latencies[Math.floor(calls * 0.99)],
    clientCpuUs: ((cpu.user + cpu.system) / calls),
    gatewayCpuUs: (gwTicks * 10_000) / calls,
    errors,
  };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = Object.fromEntries(Object.keys(transports).map((k) => [k, []]));
for (let r = 0; r < Number(rounds); r++) for (const [name, make] of Object.entries(transports)) results[name].push(await round(make));
for (const [name, runs] of Object.entries(results)) {
  const pick = (k) => Math.round(median(runs.map((x) => x[k])) * 100) / 100;
  console.log(JSON.stringify({ transport: name, concurrency: Number(concurrency), callsPerS: pick("callsPerS"), p50Ms: pick("p50"), p99Ms: pick("p99"), clientCpuUsPerCall: pick("clientCpuUs"), gatewayCpuUsPerCall: pick("gatewayCpuUs"), errors: runs.reduce((n, x) => n + x.errors, 0) }));
}
process.exit(0);
