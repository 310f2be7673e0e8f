import { existsSync, realpathSync } from "node:fs";
import { basename, delimiter, join } from "node:path";

/**
 * `bun x --bun` puts a `node` shim (really bun) first on PATH, so "node" alone would test bun twice.
 * Returns the first `node` on PATH that is not bun; NODE_BINARY overrides.
 */
export function realNode(): string {
  if (process.env.NODE_BINARY) return process.env.NODE_BINARY;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (!existsSync(candidate)) continue;
    const target = basename(realpathSync(candidate));
    if (!target.startsWith("bun")) return candidate;
  }
  throw new Error("no real Node.js binary on PATH (set NODE_BINARY)");
}
