import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitForPort } from "./redis-server.ts";

/** A throwaway PostgreSQL cluster this test owns, so it can be stopped and restarted without touching shared ones. */
export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth). */
  url: string;
  port: number;
  stop(): void;
  start(): Promise<void>;
  destroy(): void;
}

function binDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(path.join(root, v, "bin/pg_ctl"))) return path.join(root, v, "bin");
  return null;
}

/** initdb refuses to run as root: run the server tools as `postgres` when we are root. */
function run(command: string[]): { ok: boolean; output: string } {
  const asRoot = process.getuid?.() === 0;
  const result = asRoot ? spawnSync("runuser", ["-u", "postgres", "--", ...command], { encoding: "utf8" }) : spawnSync(command[0], command.slice(1), { encoding: "utf8" });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

/** initdb into a temp dir and start on a free port. Null (with the reason) when the binaries are missing or fail. */
export async function ownPostgres(): Promise<OwnPostgres | { skip: string }> {
  const bin = binDir();
  if (!bin) return { skip: "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" };
  const dir = mkdtempSync(path.join(os.tmpdir(), "gw-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const init = run([path.join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  if (!init.ok) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `initdb failed: ${init.output.slice(-400)}` };
  }
  const port = await freePort();
  const ctl = (...args: string[]) => run([path.join(bin, "pg_ctl"), "-D", data, ...args]);
  const start = async () => {
    const started = ctl("-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", path.join(dir, "log"), "-w", "start");
    if (!started.ok) throw new Error(`pg_ctl start failed: ${started.output}`);
    await waitForPort(port);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop() {
      const stopped = ctl("-m", "fast", "-w", "stop");
      if (!stopped.ok) throw new Error(`pg_ctl stop failed: ${stopped.output}`);
    },
    destroy() {
      ctl("-m", "immediate", "-w", "stop");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
