/** Runs the open-loop generator as a separate Bun process on the load core and returns its result. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, CORE_LOAD, REPO_ROOT, runToEnd } from "../proc/spawn.ts";
import type { LoadResult, LoadSpec } from "./spec.ts";
import { benchTempDir } from "../proc/temp-dir.ts";

const workDir = benchTempDir("bench-load-");
let seq = 0;
/** Valid range is 1-65535; an invalid value is ignored by Bun (back to 256). */
export const BUN_MAX_HTTP_REQUESTS = "16384";
const bodyFiles = new Map<Uint8Array, string>();

/** Writes a body once per payload object and reuses the file. */
export function bodyFile(body: Uint8Array): string {
  let file = bodyFiles.get(body);
  if (!file) {
    file = path.join(workDir, `body-${bodyFiles.size}.bin`);
    writeFileSync(file, body);
    bodyFiles.set(body, file);
  }
  return file;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const specFile = path.join(workDir, `spec-${seq++}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const expectedS = (spec.warmupS ?? 0) + (spec.durationS ?? 0);
  const r = await runToEnd("open-loop", BIN("bun"), [path.join(REPO_ROOT, "bench/src/load/open-loop.ts"), specFile], {
    core: CORE_LOAD,
    // Bun's fetch runs at most 256 requests at once by default (the rest queue); 1,000 concurrent streams need more.
    env: { BUN_CONFIG_MAX_HTTP_REQUESTS: BUN_MAX_HTTP_REQUESTS },
    timeoutMs: (expectedS + spec.timeoutMs / 1000 + 30) * 1000 + (spec.count ?? 0) * spec.timeoutMs,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`load generator failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(7)) as LoadResult;
}
