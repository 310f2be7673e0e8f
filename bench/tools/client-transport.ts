/**
 * Which transport the typed client should use: the SDK client (as @bedrock-gateway/client builds it) over HTTP/1.1
 * or over HTTP/2, against the gateway on Bun (pinned to its core), the client under Node on the load core.
 *
 *   npx bun bench/tools/client-transport.ts [--concurrency=32] [--seconds=3] [--rounds=4]
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { conversePayload } from "../src/payloads.ts";
import { CORE_LOAD, REPO_ROOT, installCleanup, pinSelf, runTool } from "../src/proc/spawn.ts";
import { startEmulatorProcess } from "../src/targets/emulator.ts";
import { startProxy } from "../src/targets/proxy.ts";

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith("--")).map((a) => [a.slice(2, a.indexOf("=") > 0 ? a.indexOf("=") : undefined), a.split("=")[1] ?? ""]));

async function main() {
  installCleanup();
  pinSelf(CORE_LOAD);
  const emulator = await startEmulatorProcess();
  const proxy = await startProxy("bun", emulator);
  const probe = await proxy.request(conversePayload());
  const key = probe.headers.authorization!.replace(/^Bearer /, "");
  for (const concurrency of (flags.get("concurrency") ?? "1,32").split(",")) {
    // Asynchronously: the gateway and emulator write their logs to pipes this process must keep draining.
    const run = await promisify(execFile)(
      "taskset",
      ["-c", String(CORE_LOAD), process.env.NODE_BINARY ?? "node", path.join(REPO_ROOT, "bench/tools/client-transport-load.mjs"), `${proxy.baseUrl}/bedrock`, key, String(proxy.pid), concurrency, flags.get("seconds") ?? "3", flags.get("rounds") ?? "4"],
      { encoding: "utf8", timeout: 600_000 },
    );
    console.log(run.stdout.trim());
  }
  await proxy.stop();
  await emulator.proc.stop();
}

runTool(main);
