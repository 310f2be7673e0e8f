import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Global setup: the test run's temp dir is a folder of its own, the TMPDIR of every test worker and of the processes
 * they start with their environment, removed at the end. So a run leaves nothing in the system's temp dir, and runs
 * on one machine do not see each other's folders (test/support/temp-dir-check.ts fails a file that leaves one).
 */
export default function runTempDir() {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(path.join(tmpdir(), "gateway-test-run-"));
  // Traversable by others: tests that run their own PostgreSQL run initdb as the `postgres` user inside it.
  chmodSync(dir, 0o711);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) console.warn(`removed what the test files left in the run's temp dir: ${left.join(", ")}`);
  };
}
