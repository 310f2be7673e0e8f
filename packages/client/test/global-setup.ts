import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const packageDir = fileURLToPath(new URL("..", import.meta.url));
  const tsup = fileURLToPath(new URL("../../../node_modules/.bin/tsup", import.meta.url));
  execFileSync(tsup, [], { cwd: packageDir, stdio: ["ignore", "ignore", "inherit"] });
}
