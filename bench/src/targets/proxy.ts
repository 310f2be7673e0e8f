/**
 * Our gateway (apps/proxy) on Bun or Deno, with every feature on: MASTER_KEY set, a SQLite DATABASE_URL, and a
 * virtual key minted through the admin API so each call goes through the key check, signing, the usage tap and
 * spend logging. Until /key/generate exists, the master key is used and the results say so.
 */

import path from "node:path";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "@bedrock-gateway/bedrock-emulator";
import { BIN, CORE_GATEWAY, REPO_ROOT, startProcess, versionOf } from "../proc/spawn.ts";
import { BUN_MAX_HTTP_REQUESTS } from "../load/run.ts";
import { MODEL_PATH, conversePayload, type Payload } from "../payloads.ts";
import type { EmulatorHandle, Target, TargetName } from "./types.ts";
import { benchTempDir } from "../proc/temp-dir.ts";

const MASTER_KEY = "sk-bench-master-0000000000000000";

export async function startProxy(runtime: "bun" | "deno", emulator: EmulatorHandle): Promise<Target> {
  const dataDir = benchTempDir(`bench-${runtime}-`);
  // --proxy-entry=<file>: benchmark a patched copy of the proxy (before/after comparisons of a hot-path change).
  const entry = path.resolve(process.env.BENCH_PROXY_ENTRY ?? path.join(REPO_ROOT, "apps/proxy/src/index.ts"));
  const bin = BIN(runtime);
  // --profile (BENCH_PROFILE_DIR): Bun writes a markdown CPU profile of the gateway when it exits.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const bunArgs = profileDir ? ["--cpu-prof-md", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=200"] : [];
  const args = runtime === "bun" ? [...bunArgs, entry] : ["run", "-A", entry];
  const proc = startProcess(`proxy-${runtime}`, bin, args, {
    core: CORE_GATEWAY,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      MASTER_KEY,
      // BENCH_DATABASE_URL: the same run on another store (e.g. postgres://...) instead of the embedded default.
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(dataDir, "gateway.sqlite")}`,
      AWS_ACCESS_KEY_ID: EMULATOR_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: EMULATOR_SECRET_ACCESS_KEY,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
      AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: emulator.url,
      AWS_EC2_METADATA_DISABLED: "true",
      // Bun's fetch (the upstream client) runs at most 256 requests at once by default; more queue inside the
      // gateway. Operators must raise it for many concurrent streams; the bench does the same for every Bun target.
      ...(runtime === "bun" ? { BUN_CONFIG_MAX_HTTP_REQUESTS: BUN_MAX_HTTP_REQUESTS } : {}),
      AWS_PROFILE: undefined,
      AWS_SESSION_TOKEN: undefined,
    },
  });
  try {
    const m = await proc.waitFor(/listening on http:\/\/[^:\s]+:(\d+)/, 30_000);
    const baseUrl = `http://127.0.0.1:${m[1]}`;
    const info: Record<string, string> = {
      ...(runtime === "bun" ? { env: `BUN_CONFIG_MAX_HTTP_REQUESTS=${BUN_MAX_HTTP_REQUESTS} (Bun's default of 256 concurrent upstream fetches would queue streams)` } : {}),
      database: process.env.BENCH_DATABASE_URL ? "BENCH_DATABASE_URL (operator-chosen)" : "sqlite (temp file)", signing: "gateway re-signs with SigV4 (emulator credentials)" };
    const key = await virtualKey(baseUrl, info);
    const target: Target = {
      name: `proxy-${runtime}` as TargetName,
      description: `${path.relative(REPO_ROOT, entry)} on ${versionOf(bin, ["--version"])?.replace(/\s*\(.*$/, "") ?? runtime}`,
      baseUrl,
      pid: proc.pid,
      info,
      async request(payload: Payload) {
        return {
          url: `${baseUrl}/bedrock/model/${MODEL_PATH}/${payload.op}`,
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: payload.body,
        };
      },
      stop: () => proc.stop(),
    };
    // One call end to end before measuring: a target that cannot answer is reported, not benchmarked.
    const probe = await target.request(conversePayload());
    const res = await fetch(probe.url, { method: "POST", headers: probe.headers, body: probe.body as BodyInit });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`proxy-${runtime} probe answered ${res.status}: ${text.slice(0, 300)}`);
    const spend = await spendProbe(baseUrl);
    info.spendLogsProbe = spend;
    if (info.key?.startsWith("virtual")) {
      info.features = spend.includes("→ 200")
        ? "key check (virtual key), signing, usage tap, spend logging"
        : `key check (virtual key), signing; spend logging not detected (${spend})`;
    }
    return target;
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** Mints a virtual key; falls back to the master key when the admin API is not there yet. */
async function virtualKey(baseUrl: string, info: Record<string, string>): Promise<string> {
  let status = 0;
  let detail = "";
  try {
    const res = await fetch(`${baseUrl}/key/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ key_alias: `bench-${Date.now()}`, metadata: { purpose: "benchmark" } }),
    });
    status = res.status;
    detail = await res.text();
    if (res.ok) {
      const body = JSON.parse(detail) as { key?: string; token?: string };
      const key = body.key ?? body.token;
      if (key) {
        info.key = "virtual key from POST /key/generate";
        return key;
      }
    }
  } catch (error) {
    detail = error instanceof Error ? error.message : String(error);
  }
  info.features = "master-key only";
  info.key = `master key (POST /key/generate answered ${status || "no response"}${status === 404 ? ": not implemented yet" : ": " + detail.slice(0, 120)})`;
  return MASTER_KEY;
}

async function spendProbe(baseUrl: string): Promise<string> {
  try {
    const res = await fetch(`${baseUrl}/spend/logs?limit=1`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
    await res.arrayBuffer();
    return `GET /spend/logs → ${res.status}`;
  } catch (error) {
    return `GET /spend/logs failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
