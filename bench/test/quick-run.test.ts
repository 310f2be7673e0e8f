import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";

/**
 * The benchmark's CI run (`npm test` runs this file): the quick bench, its output passed through as it comes, and
 * what a passing run must not leave: a "MISSED" line (a quick run judges no goal) or a `bench-*` folder in the temp
 * dir (every target's scratch folder is removed when the run ends).
 */
const benchDir = path.resolve(import.meta.dirname, "..");
const bun = path.resolve(benchDir, "../node_modules/.bin/bun");
const benchFolders = () => readdirSync(tmpdir()).filter((entry) => entry.startsWith("bench-"));

it("runs every target and scenario quickly, judges no goal, and leaves no folder in the temp dir", async () => {
  const before = new Set(benchFolders());
  const lines: string[] = [];
  const child = spawn(bun, ["src/main.ts", "--quick"], { cwd: benchDir, stdio: ["ignore", "pipe", "pipe"] });
  for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    from.on("data", (chunk: Buffer) => {
      to.write(chunk);
      lines.push(...chunk.toString().split("\n"));
    });
  }
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code).toBe(0);
  expect(lines.filter((line) => /MISSED/.test(line))).toEqual([]);
  expect(benchFolders().filter((entry) => !before.has(entry))).toEqual([]);
}, 600_000);
