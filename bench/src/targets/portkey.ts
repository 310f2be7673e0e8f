/**
 * @portkey-ai/gateway (npm, run under Bun) in its raw bedrock-runtime forwarding mode: POST /v1/model/{id}/...
 * with x-portkey-* headers. It signs with the AWS keys it is given (the emulator's), and the emulator verifies
 * those signatures like any other: failures show up as errors in the results, not hidden.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "@bedrock-gateway/bedrock-emulator";
import { BIN, CORE_GATEWAY, REPO_ROOT, freePort, startProcess, waitForHttp } from "../proc/spawn.ts";
import { BUN_MAX_HTTP_REQUESTS } from "../load/run.ts";
import { MODEL_PATH } from "../payloads.ts";
import { TargetUnavailable, type EmulatorHandle, type Target } from "./types.ts";

export async function startPortkey(emulator: EmulatorHandle): Promise<Target> {
  const pkgDir = path.join(REPO_ROOT, "node_modules/@portkey-ai/gateway");
  const entry = path.join(pkgDir, "build/start-server.js");
  if (!existsSync(entry)) throw new TargetUnavailable("@portkey-ai/gateway is not installed (npm ci in the repo root)");
  const version = (JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string }).version;
  const port = await freePort();
  const proc = startProcess("portkey", BIN("bun"), [entry, `--port=${port}`, "--headless"], { core: CORE_GATEWAY, env: { BUN_CONFIG_MAX_HTTP_REQUESTS: BUN_MAX_HTTP_REQUESTS } });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(baseUrl + "/", 30_000, proc);
  // Portkey 1.15.2 signs `Host` as the custom host's hostname WITHOUT its port, yet forwards the caller's own Host
  // header upstream. Against AWS (port 443) a client would have to send the AWS hostname; here we send the
  // emulator's bare hostname, which makes the signed and the forwarded Host agree. Without it every call is a 403.
  const hostHeader = new URL(emulator.url).hostname;
  const headers = {
    "content-type": "application/json",
    "x-portkey-provider": "bedrock",
    "x-portkey-aws-access-key-id": EMULATOR_ACCESS_KEY_ID,
    "x-portkey-aws-secret-access-key": EMULATOR_SECRET_ACCESS_KEY,
    "x-portkey-aws-region": "us-east-1",
    "x-portkey-custom-host": emulator.url,
  };
  return {
    name: "portkey",
    description: `@portkey-ai/gateway ${version} on Bun (raw bedrock-runtime forwarding)`,
    baseUrl,
    pid: proc.pid,
    info: {
      signing: "Portkey signs with SigV4 using the emulator's credentials (sent in x-portkey-aws-* headers)",
      env: `BUN_CONFIG_MAX_HTTP_REQUESTS=${BUN_MAX_HTTP_REQUESTS}`,
      hostWorkaround: `client sends Host: ${hostHeader} (Portkey signs the custom host without port but forwards the caller's Host)`, features: "signing only (no key store, no spend logging)" },
    async request(payload) {
      return { url: `${baseUrl}/v1/model/${MODEL_PATH}/${payload.op}`, method: "POST", headers: { ...headers, host: hostHeader }, body: payload.body };
    },
    stop: () => proc.stop(),
  };
}
