import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const made = new Set<string>();

/** A scratch directory under the system temp dir, removed when the run ends (removeTempDirs). */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Synchronous, so it also works from the `exit` event; call after the processes using them are gone. */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
