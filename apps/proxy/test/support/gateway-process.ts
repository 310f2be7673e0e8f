import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const entry = path.join(repoRoot, "apps/proxy/src/index.ts");

export type ProxyRuntime = "bun" | "deno";

/** Which runtime the end-to-end suite drives: CI runs it once on each. */
export const proxyRuntime: ProxyRuntime = process.env.PROXY_RUNTIME === "deno" ? "deno" : "bun";

export interface GatewayProcess {
  url: string;
  port: number;
  /** Every stdout/stderr line so far (structured logs are JSON lines). */
  output: string[];
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the real proxy as its own process (as operators run it), on a random port. */
export async function startGateway(env: Record<string, string>, runtime: ProxyRuntime = proxyRuntime): Promise<GatewayProcess> {
  const bin = path.join(repoRoot, "node_modules/.bin", runtime);
  const args = runtime === "bun" ? [entry] : ["run", "-A", entry];
  // A spend journal of its own unless the test names one (to read it after a crash), removed when the process ends.
  const journalDir = env.SPEND_JOURNAL_DIR ? undefined : mkdtempSync(path.join(os.tmpdir(), "gw-journal-"));
  const child = spawn(bin, args, {
    cwd: repoRoot,
    // An in-memory database unless the test names one, so runs leave no ./data/ behind.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", AWS_EC2_METADATA_DISABLED: "true", DATABASE_URL: "sqlite::memory:", ...(journalDir ? { SPEND_JOURNAL_DIR: journalDir } : {}), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (journalDir) child.once("exit", () => rmSync(journalDir, { recursive: true, force: true }));
  const output: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("gateway did not start:\n" + output.join("\n"))), 15_000);
    const onLine = (line: string) => {
      if (!line) return;
      output.push(line);
      const match = /listening on https?:\/\/[^:]+:(\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    // Whole lines only: a pipe's chunk may end in the middle of a JSON log line.
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop()!;
        for (const line of parts) onLine(line);
      });
      stream.on("end", () => onLine(rest));
    };
    lines(child.stdout!);
    lines(child.stderr!);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n` + output.join("\n")));
    });
  });
  return {
    url: `${env.TLS_CERT_FILE ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    output,
    child,
    stop(signal = "SIGTERM") {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}
