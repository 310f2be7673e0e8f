/** The shared upstream (pinned to the load core) and the `direct` target: the emulator called with no gateway. */
import { BIN, CORE_LOAD, REPO_ROOT, startProcess, type Managed } from "../proc/spawn.ts";
import { MODEL_PATH, type Payload } from "../payloads.ts";
import { signForEmulator } from "./sign.ts";
import type { EmulatorHandle, Target } from "./types.ts";
import path from "node:path";

export async function startEmulatorProcess(): Promise<EmulatorHandle & { proc: Managed }> {
  const proc = startProcess("emulator", BIN("bun"), [path.join(REPO_ROOT, "packages/bedrock-emulator/src/main.ts"), "--port", "0", "--no-record"], { core: CORE_LOAD });
  const m = await proc.waitFor(/listening on (http:\/\/[^\s/]+)/);
  const url = new URL(m[1]!);
  return { url: url.origin, hostPort: url.host, address: `${url.hostname}:${url.port || 80}`, pid: proc.pid, proc };
}

export function emulatorPath(payload: Payload): string {
  return `/model/${MODEL_PATH}/${payload.op}`;
}

export function directTarget(emulator: EmulatorHandle): Target {
  return {
    name: "direct",
    description: "bedrock-emulator (Bun) called directly, requests pre-signed with SigV4",
    baseUrl: emulator.url,
    pid: emulator.pid,
    info: { signing: "client pre-signs (SigV4, emulator credentials)" },
    async request(payload) {
      const p = emulatorPath(payload);
      return { url: emulator.url + p, method: "POST", headers: await signForEmulator(emulator.hostPort, p, payload.body), body: payload.body };
    },
    async stop() {},
  };
}
