/**
 * Maximum sustained throughput, closed loop: wrk (C, one thread, cheap on the shared load core) when installed,
 * else autocannon (npm, run on Node). Both keep `connections` requests in flight for `durationS`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { CORE_LOAD, REPO_ROOT, runToEnd, which } from "../proc/spawn.ts";
import { benchTempDir } from "../proc/temp-dir.ts";

export interface ThroughputResult {
  tool: "wrk" | "autocannon";
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  errors: number;
  non2xx: number;
  latencyMs: { p50: number; p90: number; p99: number };
}

export interface HttpRequestSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

const dir = benchTempDir("bench-tp-");

export function throughputTool(): "wrk" | "autocannon" {
  return which("wrk") ? "wrk" : "autocannon";
}

const luaString = (s: string) => JSON.stringify(s); // JSON escapes are valid Lua escapes for this ASCII/UTF-8 text

export async function runThroughput(req: HttpRequestSpec, connections: number, durationS: number): Promise<ThroughputResult> {
  return throughputTool() === "wrk" ? runWrk(req, connections, durationS) : runAutocannon(req, connections, durationS);
}

async function runWrk(req: HttpRequestSpec, connections: number, durationS: number): Promise<ThroughputResult> {
  const bodyPath = path.join(dir, "body.bin");
  writeFileSync(bodyPath, req.body);
  const script = path.join(dir, "request.lua");
  const headerLines = Object.entries(req.headers)
    // wrk fills in `Host` itself; a lowercase `host` would be sent as a second Host header (a 400).
    .map(([k, v]) => `wrk.headers[${luaString(k.toLowerCase() === "host" ? "Host" : k)}] = ${luaString(v)}`)
    .join("\n");
  writeFileSync(
    script,
    `wrk.method = ${luaString(req.method)}
local f = io.open(${luaString(bodyPath)}, "rb"); wrk.body = f:read("*a"); f:close()
${headerLines}
local non2xx = 0
response = function(status, headers, body) if status >= 300 then non2xx = non2xx + 1 end end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
`,
  );
  const r = await runToEnd("wrk", "wrk", ["-t1", `-c${connections}`, `-d${durationS}s`, "--timeout", "10s", "-s", script, req.url], {
    core: CORE_LOAD,
    timeoutMs: (durationS + 30) * 1000,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (!line) throw new Error(`wrk failed (exit ${r.code}): ${r.stdout.slice(-1000)} ${r.stderr.slice(-1000)}`);
  const j = JSON.parse(line.slice(8));
  const seconds = j.duration_us / 1e6;
  return {
    tool: "wrk",
    connections,
    durationS: Math.round(seconds * 100) / 100,
    requests: j.requests,
    rps: Math.round(j.requests / seconds),
    errors: j.connect + j.read + j.write + j.timeout,
    non2xx: j.status,
    latencyMs: { p50: j.p50 / 1000, p90: j.p90 / 1000, p99: j.p99 / 1000 },
  };
}

async function runAutocannon(req: HttpRequestSpec, connections: number, durationS: number): Promise<ThroughputResult> {
  const bodyPath = path.join(dir, "body.bin");
  writeFileSync(bodyPath, req.body);
  const args = [path.join(REPO_ROOT, "node_modules/autocannon/autocannon.js"), "-j", "-c", String(connections), "-d", String(durationS), "-m", req.method, "-i", bodyPath];
  for (const [k, v] of Object.entries(req.headers)) args.push("-H", `${k}=${v}`);
  args.push(req.url);
  const r = await runToEnd("autocannon", which("node") ?? "node", args, { core: CORE_LOAD, timeoutMs: (durationS + 30) * 1000 });
  const start = r.stdout.indexOf("{");
  if (start < 0) throw new Error(`autocannon failed (exit ${r.code}): ${r.stderr.slice(-1000)}`);
  const j = JSON.parse(r.stdout.slice(start));
  return {
    tool: "autocannon",
    connections,
    durationS: j.duration,
    requests: j.requests.total,
    rps: Math.round(j.requests.total / j.duration),
    errors: j.errors + j.timeouts,
    non2xx: j.non2xx,
    latencyMs: { p50: j.latency.p50, p90: j.latency.p90, p99: j.latency.p99 },
  };
}
