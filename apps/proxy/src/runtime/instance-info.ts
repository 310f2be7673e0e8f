import { readFileSync } from "node:fs";

declare const Bun: { version: string } | undefined;
declare const Deno: { version: { deno: string } } | undefined;

const startedAt = Date.now();

/** What this process is: the gateway's version (apps/proxy/package.json), runtime and start time. */
export function instanceInfo(): { version: string; runtime: string; startedAt: number } {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : `node ${process.versions.node}`;
  return { version, runtime, startedAt };
}
