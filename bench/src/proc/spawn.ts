/**
 * Child processes of the benchmark: started pinned to a core, tracked in one registry, and all killed on
 * exit, error or SIGINT/SIGTERM, so a failed run never leaves a gateway or an emulator behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { removeTempDirs } from "./temp-dir.ts";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = (name: string) => path.join(REPO_ROOT, "node_modules/.bin", name);

/** Core layout on the 2-core machine: the gateway under test alone on one core, everything else on the other. */
export const CORE_GATEWAY = 1;
export const CORE_LOAD = 0;

const live = new Set<ChildProcess>();

export function which(cmd: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

let tasksetPath: string | null | undefined;
export function hasTaskset(): boolean {
  // --no-pin (BENCH_NO_PIN): every process floats over both cores, as in a deployment without CPU pinning.
  if (tasksetPath === undefined) tasksetPath = process.env.BENCH_NO_PIN ? null : which("taskset");
  return tasksetPath !== null;
}

/** Pins this process (all its threads) to the load core; children inherit it unless started pinned elsewhere. */
export function pinSelf(core: number): boolean {
  if (!hasTaskset()) return false;
  return spawnSync(tasksetPath!, ["-a", "-p", "-c", String(core), String(process.pid)], { stdio: "ignore" }).status === 0;
}

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of stdout+stderr, for error messages. */
  output: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  core?: number | null;
  cwd?: string;
}

/** `taskset -c N cmd args` execs cmd, so the pid we get is the real process's pid. Tracked for cleanup. */
function spawnPinned(cmd: string, args: string[], options: StartOptions) {
  const pinned = options.core !== null && options.core !== undefined && hasTaskset();
  const [file, argv] = pinned ? [tasksetPath!, ["-c", String(options.core), cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  return child;
}

export function startProcess(name: string, cmd: string, args: string[], options: StartOptions = {}): Managed {
  const child = spawnPinned(cmd, args, options);
  const output: string[] = [];
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  let exitCode: number | null | undefined;
  let partial = "";
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      output.push(line);
      if (output.length > 200) output.shift();
      for (let i = waiters.length - 1; i >= 0; i--) {
        const m = waiters[i]!.pattern.exec(line);
        if (m) {
          waiters[i]!.resolve(m);
          waiters.splice(i, 1);
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exitPromise = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      live.delete(child);
      resolve();
    });
    child.on("error", (err) => {
      output.push(`spawn error: ${err.message}`);
      exitCode = -1;
      live.delete(child);
      resolve();
    });
  });

  return {
    name,
    child,
    pid: child.pid ?? -1,
    output,
    exited: () => exitCode !== undefined,
    waitFor(pattern, timeoutMs = 20_000) {
      for (const line of output) {
        const m = pattern.exec(line);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms:\n${output.slice(-20).join("\n")}`)), timeoutMs);
        waiters.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exitPromise.then(() => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${exitCode}) before printing ${pattern}:\n${output.slice(-20).join("\n")}`));
        });
      });
    },
    async stop() {
      if (exitCode !== undefined) return;
      child.kill("SIGTERM");
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 3000));
      if ((await Promise.race([exitPromise, timeout])) === "timeout") {
        child.kill("SIGKILL");
        await exitPromise;
      }
    },
  };
}

/** Runs a command to completion (used for the load generators), collecting stdout and stderr. */
export function runToEnd(name: string, cmd: string, args: string[], options: StartOptions & { timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnPinned(cmd, args, options);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  return new Promise((resolve) => {
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stderr += `\n${name}: killed after ${options.timeoutMs} ms`;
          child.kill("SIGKILL");
        }, options.timeoutMs)
      : null;
    const done = (code: number | null) => {
      if (timer) clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout, stderr });
    };
    child.on("exit", (code) => done(code));
    child.on("error", (err) => {
      stderr += `spawn error: ${err.message}`;
      done(-1);
    });
  });
}

/** Last-resort cleanup: synchronous, so it also works from the `exit` event. */
export function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

export function installCleanup(): void {
  // process.exit() from the signal handlers below also ends here.
  process.on("exit", () => {
    killAll();
    removeTempDirs();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping all child processes`);
      process.exit(130);
    });
  }
}

/** A free TCP port on loopback (for servers that cannot report the port they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the URL answers at all (any status). */
export async function waitForHttp(url: string, timeoutMs = 20_000, proc?: Managed): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (proc?.exited()) throw new Error(`${proc.name} exited during start:\n${proc.output.slice(-20).join("\n")}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await Bun.sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})${proc ? ":\n" + proc.output.slice(-20).join("\n") : ""}`);
}

export function versionOf(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0 && !r.stdout && !r.stderr) return null;
  return ((r.stdout || "") + (r.stderr || "")).trim().split("\n")[0] ?? null;
}

/** Runs a tool's main: every child process is killed when it ends, and the exit code says whether it failed. */
export function runTool(main: () => Promise<void>): void {
  main()
    .then(() => {
      killAll();
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      killAll();
      process.exit(1);
    });
}
