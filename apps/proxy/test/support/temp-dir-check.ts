import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect } from "vitest";

/**
 * Setup file of every test file: what the file adds to the temp dir (the run's own, see run-temp-dir.ts) must be
 * gone when it ends, or the file fails naming it. Read before the file is imported, so folders made at import time
 * count too; the hook runs after the file's own afterAll hooks (hooks unwind as a stack).
 */
const before = new Set(readdirSync(tmpdir()));

afterAll(() => {
  const left = readdirSync(tmpdir()).filter((entry) => !before.has(entry));
  for (const entry of left) rmSync(path.join(tmpdir(), entry), { recursive: true, force: true });
  expect(left, "left in the temp dir by this test file: remove them in its afterAll").toEqual([]);
});
