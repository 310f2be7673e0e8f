import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startEmulator, type RunningEmulator } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv } from "../support/fixture.ts";
import { startGateway, type GatewayProcess } from "../support/gateway-process.ts";
import { readmeBlocks } from "../support/readme-blocks.ts";
import { readConfig } from "../../src/config.ts";
import { freePort, waitForPort } from "../support/redis-server.ts";

/**
 * Every code block of the root README, run as written: only the gateway's address (4000 → a free port, or
 * gateway.example.com → the test's gateway) and the placeholders of a secret shown once (`BGWA…`, `…`) are
 * filled in. A block this file does not know fails the suite, so a new example comes with its run.
 */
const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const blocks = readmeBlocks(readFileSync(path.join(repoRoot, "README.md"), "utf8"));
const REPLY = "Hello from the Bedrock emulator.";

const hasBoto3 = spawnSync("python3", ["-c", "import boto3"]).status === 0;
const hasAwsCli = spawnSync("aws", ["--version"]).status === 0;
if (!hasBoto3) console.warn("README boto3 examples skipped: `python3 -c 'import boto3'` failed (pip install boto3 to run them)");
if (!hasAwsCli) console.warn("README AWS CLI example skipped: `aws --version` failed (pip install awscli to run it)");

/** How each block is exercised; the key is the block's first line. */
const coverage: Record<string, string> = {
  "npm ci && npm run proxy     # the gateway on http://127.0.0.1:4000, embedded SQLite under ./data/": "npm run proxy, then SIGTERM to npm",
  "npm run proxy:deno                                     # the same gateway, settings and port on Deno":
    "each line run as written, then SIGTERM to npm",
  "npm run emulator -- --port 4010 &      # prints the credentials it verifies": "run with free ports",
  "curl -X POST 'http://127.0.0.1:4000/bedrock/model/cohere.command-r-v1:0/converse' \\": "run in open mode",
  "import boto3": "run in open mode (boto3)",
  "export MASTER_KEY=sk-master-change-me   # and restart the gateway": "run against a gateway with that MASTER_KEY",
  'export GATEWAY_SECRET_KEY="$(openssl rand -base64 48)"': "run; the gateway starts with its output",
  "curl -s http://localhost:4000/key/generate \\": "run; issues the pair the next blocks use",
  "{": "compared with the real /key/generate answer",
  "import boto3  # env as above; nothing gateway-specific in the code": "run with the environment of the table (boto3)",
  "aws bedrock-runtime converse --model-id amazon.nova-lite-v1:0 \\": "run with the environment of the table (AWS CLI)",
  'import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";': "run on Bun",
  'import { createProxiedBedrockClient, createProxiedBedrockAgentClient } from "@bedrock-gateway/client";': "run on Bun",
  "npm install @bedrock-gateway/client @aws-sdk/client-bedrock-runtime @aws-sdk/client-bedrock-agent-runtime":
    "not run here: packages/client/test/packed-package.test.ts installs the packed tarball into an app of its own",
  'import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";': "run on Bun",
  'import OpenAI from "openai";': "run on Bun, in open mode",
  'import Anthropic from "@anthropic-ai/sdk";': "run on Bun, in open mode",
  "DATABASE_URL=postgres://gateway:secret@db.internal:5432/gateway   # shared; migrations run once, under a lock":
    "not run: a deployment's addresses; test/e2e/scale-out.test.ts runs several instances on these variables",
  "[Unit]": "its ExecStart and Environment run, then SIGTERM",
  "cat > failover.json <<'EOF'": "run: the file it writes is read as documented, and a gateway starts with it",
  "openapi/gateway.yaml            admin API + one path per Bedrock operation (service, streaming, usage kind)": "not code: a file tree",
};

function code(firstLine: string): string {
  const found = blocks.filter((b) => b.firstLine === firstLine);
  if (found.length !== 1) throw new Error(`README has ${found.length} blocks starting ${JSON.stringify(firstLine)}`);
  return found[0].code;
}

/** The README's gateway addresses, pointed at the test's gateway. */
function onGateway(text: string, url: string): string {
  return text.replace(/https?:\/\/(?:127\.0\.0\.1|localhost):4000|(?<![\w/.])localhost:4000|https:\/\/gateway\.example\.com/g, url);
}

let home: string;
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: home, AWS_EC2_METADATA_DISABLED: "true", ...extra };
}

const sh = (script: string, env: Record<string, string> = {}) =>
  run("sh", ["-ec", script], { cwd: repoRoot, env: baseEnv(env), timeout: 60_000, encoding: "utf8" });
const python = (script: string, env: Record<string, string> = {}) =>
  run("python3", ["-c", script], { cwd: repoRoot, env: baseEnv(env), timeout: 60_000, encoding: "utf8" });
// Bun resolves the examples' imports from the repository's node_modules (cwd), as in an app that installed them.
const bunScript = (script: string, env: Record<string, string> = {}) =>
  run(path.join(repoRoot, "node_modules/.bin/bun"), ["-e", script], { cwd: repoRoot, env: baseEnv(env), timeout: 60_000, encoding: "utf8" });

/** Processes (any descendant, however deep) started with this marker in their environment. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function collect(child: ChildProcess): string[] {
  const lines: string[] = [];
  const onData = (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return lines;
}

interface Started {
  child: ChildProcess;
  output: string[];
  /** `README_EXAMPLE_RUN=<value>` in the environment of the process and of everything it starts. */
  marker: string;
}

/** Starts a command in its own process group (killed in afterAll if a test fails), tagged to find its descendants. */
function startTagged(tag: string, command: string, args: string[], env: Record<string, string>, cwd = repoRoot): Started {
  const value = `${process.pid}-${tag}`;
  const child = spawn(command, args, {
    cwd,
    env: baseEnv({ DATABASE_URL: "sqlite::memory:", ...env, README_EXAMPLE_RUN: value }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  groups.push(child);
  return { child, output: collect(child), marker: `README_EXAMPLE_RUN=${value}` };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (c) => resolve(c))));

async function converseThrough(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/bedrock/model/amazon.nova-lite-v1:0/converse`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }] }),
  });
  await res.body?.cancel();
  return res.status;
}

let emulator: RunningEmulator;
let openGateway: GatewayProcess;
let gateway: GatewayProcess;
let masterKey: string;
const groups: ChildProcess[] = [];

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "readme-home-"));
  emulator = await startEmulator({ port: 0 });
  masterKey = /export MASTER_KEY=(\S+)/.exec(code("export MASTER_KEY=sk-master-change-me   # and restart the gateway"))![1];
  const { stdout: secretKey } = await sh(`${code('export GATEWAY_SECRET_KEY="$(openssl rand -base64 48)"')}\nprintf %s "$GATEWAY_SECRET_KEY"`);
  [openGateway, gateway] = await Promise.all([
    startGateway(emulatorEnv(emulator)),
    startGateway({ ...emulatorEnv(emulator), MASTER_KEY: masterKey, GATEWAY_SECRET_KEY: secretKey }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const child of groups) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL"); // whatever a failed test left in its process group
    } catch {
      // already gone
    }
  }
  await Promise.all([openGateway?.stop(), gateway?.stop()]);
  await emulator?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("the README's examples, as written", () => {
  it("every code block is covered by this suite", () => {
    expect(blocks.map((b) => b.firstLine).sort()).toEqual(Object.keys(coverage).sort());
  });

  it("GATEWAY_FAILOVER: the file the example writes is the configuration it describes, and the gateway starts with it", async () => {
    const lines = code("cat > failover.json <<'EOF'").trimEnd().split("\n");
    const start = lines.pop()!;
    expect(start).toMatch(/^GATEWAY_FAILOVER=\.\/failover\.json npm run proxy/);
    const dir = mkdtempSync(path.join(tmpdir(), "readme-failover-"));
    try {
      await run("sh", ["-ec", lines.join("\n")], { cwd: dir, env: baseEnv(), timeout: 60_000, encoding: "utf8" });
      const file = path.join(dir, "failover.json");
      const { failover } = readConfig({ GATEWAY_FAILOVER: file });
      expect(failover.routes.map((r) => [r.model, r.targets])).toEqual([
        ["anthropic.claude-3-haiku-*", [{ region: "us-east-1", model: null }, { region: "us-west-2", model: null }, { region: "eu-west-1", model: null }]],
        ["anthropic.claude-3-5-sonnet-20240620-v1:0", [{ region: "us-east-1", model: null }, { region: "us-west-2", model: "us.anthropic.claude-3-5-sonnet-20240620-v1:0" }]],
      ]);
      expect(failover.endpoints["us-east-1"]).toMatch(/^https:\/\/vpce-/);
      const gateway = await startGateway({ ...emulatorEnv(emulator), GATEWAY_FAILOVER: file });
      expect(await gateway.stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A README start command (`NAME=value ... npm run script`, a trailing comment allowed) as argv and environment. */
  function startCommand(line: string): { env: Record<string, string>; argv: string[] } {
    const words = line.replace(/\s+#.*$/, "").trim().split(/\s+/);
    const env: Record<string, string> = {};
    while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
      const [name, ...value] = words.shift()!.split("=");
      env[name] = value.join("=");
    }
    return { env, argv: words };
  }

  /** Starts a README command, waits for its port, then SIGTERM to npm alone: npm exits 0 and takes everything with it. */
  async function sigtermToNpm(tag: string, line: string, port: number, env: Record<string, string>, serving: (pids: number[]) => Promise<void>) {
    const { env: commandEnv, argv } = startCommand(line);
    expect(argv.slice(0, 2)).toEqual(["npm", "run"]);
    const { child: npm, output, marker } = startTagged(tag, argv[0], argv.slice(1), { ...env, ...commandEnv });
    await waitForPort(port, 30_000);
    await serving(processesWith(marker));
    npm.kill("SIGTERM");
    expect(await exited(npm)).toBe(0);
    await until(() => processesWith(marker).length === 0, `every process of \`${line}\` to exit after npm`);
    await expect(waitForPort(port, 200)).rejects.toThrow(/nothing listens/);
    return output;
  }

  const rssKb = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  const command = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");

  it("npm run proxy: SIGTERM to npm stops the gateway; nothing is left running or listening", async () => {
    const port = await freePort();
    const line = code("npm ci && npm run proxy     # the gateway on http://127.0.0.1:4000, embedded SQLite under ./data/").split("&&")[1];
    const output = await sigtermToNpm("npm-run-proxy", line, port, { ...emulatorEnv(emulator), PORT: String(port) }, async (pids) => {
      expect(await converseThrough(`http://127.0.0.1:${port}`, "anything")).toBe(200);
      // Bun restarts itself with a higher fetch limit; the parent only supervises and never loads the gateway
      // (when it did, it held about as much memory as the gateway itself: 76 MB beside 83 MB).
      const bun = pids.filter((pid) => /^bun(\.exe)?$/.test(path.basename(command(pid)[0])));
      expect(bun).toHaveLength(2);
      const [supervisor, gateway] = bun.sort((a, b) => a - b);
      expect(rssKb(supervisor)).toBeLessThan(rssKb(gateway) * 0.6);
    });
    expect(output.some((line) => line.includes('"shutdown complete"'))).toBe(true);
  });

  it.each(code("npm run proxy:deno                                     # the same gateway, settings and port on Deno").trim().split("\n").map((line) => [line.replace(/\s+#.*$/, ""), line]))(
    "%s: SIGTERM to npm stops the gateway on Deno; nothing is left running or listening",
    async (_command, line) => {
      const port = await freePort();
      const output = await sigtermToNpm("npm-run-proxy-deno", line, port, { ...emulatorEnv(emulator), PORT: String(port) }, async (pids) => {
        expect(await converseThrough(`http://127.0.0.1:${port}`, "anything")).toBe(200);
        expect(pids.some((pid) => /^deno(\.exe)?$/.test(path.basename(command(pid)[0])))).toBe(true);
      });
      expect(output.some((line) => line.includes('"shutdown complete"'))).toBe(true);
      expect(output.some((line) => line.includes("(deno)"))).toBe(true);
    },
  );

  it("npm run emulator: SIGTERM to npm stops the emulator", async () => {
    const port = await freePort();
    const line = code("npm run emulator -- --port 4010 &      # prints the credentials it verifies").split("\n")[0].replace(/&\s+#.*$/, "").replace("4010", String(port));
    const output = await sigtermToNpm("npm-run-emulator", line, port, {}, async () => {});
    expect(output.join("\n")).toContain(`bedrock-emulator listening on http://127.0.0.1:${port}`);
  });

  it("the emulator and a gateway in front of it, from two npm scripts", async () => {
    const [emulatorPort, port] = await Promise.all([freePort(), freePort()]);
    const script = code("npm run emulator -- --port 4010 &      # prints the credentials it verifies").replaceAll("4010", String(emulatorPort));
    const { child: shell, output, marker } = startTagged("two-commands", "sh", ["-c", script], { PORT: String(port) });
    await waitForPort(port, 20_000);
    expect(await converseThrough(`http://127.0.0.1:${port}`, "anything")).toBe(200);
    expect(output.join("\n")).toContain("AWS_ACCESS_KEY_ID=AKIAEMULATOR00000001");
    process.kill(-shell.pid!, "SIGTERM");
    await until(() => processesWith(marker).length === 0, "the emulator and the gateway to exit");
  });

  it("curl, LiteLLM style, against the gateway in open mode", async () => {
    emulator.reset();
    const { stdout } = await sh(onGateway(code("curl -X POST 'http://127.0.0.1:4000/bedrock/model/cohere.command-r-v1:0/converse' \\"), openGateway.url));
    expect(stdout).toContain(REPLY);
    expect(stdout).not.toMatch(/"message":\s*"/); // no call refused (an AWS error body is {"message": "..."})
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["Converse", true], ["ApplyGuardrail", true], ["Retrieve", true]]);
  });

  it.skipIf(!hasBoto3)("boto3 with placeholder AWS keys and the key in a before-send hook, in open mode", async () => {
    emulator.reset();
    const { stdout } = await python(onGateway(code("import boto3"), openGateway.url));
    expect(stdout).toContain(REPLY);
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["InvokeAgent", true]]);
  });

  it("the openai SDK on the OpenAI-compatible API: a completion, a stream, a response", async () => {
    emulator.reset();
    const { stdout } = await bunScript(onGateway(code('import OpenAI from "openai";'), openGateway.url), { GATEWAY_KEY: "anything" });
    expect(stdout).toBe(`${REPLY}\n${REPLY}${REPLY}\n`);
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["CreateChatCompletion", true], ["CreateChatCompletion", true], ["CreateResponse", true]]);
  });

  it("the Anthropic SDK on the Messages API: a message, then a stream", async () => {
    emulator.reset();
    const { stdout } = await bunScript(onGateway(code('import Anthropic from "@anthropic-ai/sdk";'), openGateway.url), { GATEWAY_KEY: "anything" });
    expect(stdout).toBe(`${REPLY}\n${REPLY}`);
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["CreateMessage", true], ["CreateMessage", true]]);
  });

  let virtualKey: string;
  it("export MASTER_KEY, then /key/generate with curl", async () => {
    const { stdout } = await sh(onGateway(code("export MASTER_KEY=sk-master-change-me   # and restart the gateway"), gateway.url));
    const issued = JSON.parse(stdout);
    expect(issued).toMatchObject({ key: expect.stringMatching(/^sk-/), key_alias: "web-team", models: ["anthropic.*", "amazon.nova-lite-v1:0"] });
    virtualKey = issued.key;
  });

  let pair: { key: string; id: string; secret: string };
  it("GATEWAY_SECRET_KEY from openssl, then a key with an AWS-style pair; the answer has the fields shown", async () => {
    const { stdout } = await sh(onGateway(code("curl -s http://localhost:4000/key/generate \\"), gateway.url), { MASTER_KEY: masterKey });
    const issued = JSON.parse(stdout);
    const shown = JSON.parse(code("{"));
    for (const field of Object.keys(shown).filter((f) => f !== "…")) expect(issued).toHaveProperty(field);
    expect(issued.aws_access_key_id).toMatch(/^BGWA[A-Z0-9]{16}$/);
    pair = { key: issued.key, id: issued.aws_access_key_id, secret: issued.aws_secret_access_key };
  });

  // The "Client: the environment" table.
  const pairEnv = () => ({
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `${gateway.url}/bedrock`,
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: `${gateway.url}/bedrock`,
    AWS_ACCESS_KEY_ID: pair.id,
    AWS_SECRET_ACCESS_KEY: pair.secret,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
  });

  it.skipIf(!hasBoto3)("unmodified boto3 with the pair in its environment", async () => {
    emulator.reset();
    const { stdout } = await python(code("import boto3  # env as above; nothing gateway-specific in the code"), pairEnv());
    expect(stdout).toBe(REPLY + REPLY);
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([
      ["Converse", true], ["ConverseStream", true], ["Retrieve", true], ["InvokeAgent", true],
    ]);
  });

  it.skipIf(!hasAwsCli)("the AWS CLI with the pair in its environment", async () => {
    emulator.reset();
    const { stdout } = await sh(code("aws bedrock-runtime converse --model-id amazon.nova-lite-v1:0 \\"), pairEnv());
    expect(stdout).toContain(REPLY);
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["Converse", true], ["Retrieve", true]]);
  });

  it("the AWS SDK for JavaScript with the pair", async () => {
    emulator.reset();
    const script = onGateway(code('import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";'), gateway.url)
      .replaceAll('"BGWA…"', JSON.stringify(pair.id))
      .replaceAll('secretAccessKey: "…"', `secretAccessKey: ${JSON.stringify(pair.secret)}`);
    await bunScript(script);
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["Converse", true], ["Retrieve", true]]);
  });

  it("@bedrock-gateway/client with the pair", async () => {
    const script = onGateway(code('import { createProxiedBedrockClient, createProxiedBedrockAgentClient } from "@bedrock-gateway/client";'), gateway.url);
    // The block builds the clients; one call shows they are wired to the gateway with the pair.
    const { stdout } = await bunScript(
      `${script}\nconst { ConverseCommand } = await import("@aws-sdk/client-bedrock-runtime");\n` +
        `console.log((await bedrock.send(new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages: [{ role: "user", content: [{ text: "hi" }] }] }))).output.message.content[0].text);`,
      { GATEWAY_AWS_ACCESS_KEY_ID: pair.id, GATEWAY_AWS_SECRET_ACCESS_KEY: pair.secret },
    );
    expect(stdout.trim()).toBe(REPLY);
  });

  it("@bedrock-gateway/client with a virtual key, and its admin client", async () => {
    emulator.reset();
    await bunScript(code('import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";'), {
      GATEWAY_KEY: virtualKey,
      MASTER_KEY: masterKey,
      BEDROCK_PROXY_URL: gateway.url,
    });
    expect(emulator.requests.map((r) => [r.operation, r.verified])).toEqual([["Converse", true]]);
    const list = await fetch(`${gateway.url}/key/list?key_alias=ci&return_full_object=true`, { headers: { authorization: `Bearer ${masterKey}` } });
    expect((await list.json()).keys).toHaveLength(1);
  });

  it("the systemd unit's command and environment: one process, SIGTERM drains and exits 0", async () => {
    const unit = code("[Unit]").replaceAll("/opt/bedrock-gateway", repoRoot);
    const setting = (name: string) => [...unit.matchAll(new RegExp(`^${name}=(.*)$`, "gm"))].map((m) => m[1]);
    const [execStart] = setting("ExecStart");
    const [workingDirectory] = setting("WorkingDirectory");
    const environment = Object.fromEntries(setting("Environment").map((line) => line.split("=", 2) as [string, string]));
    expect(setting("KillSignal")).toEqual(["SIGTERM"]);
    const port = await freePort();
    const [command, ...args] = execStart.split(" ");
    // EnvironmentFile= stands for the operator's settings: here the emulator's.
    const { child: service, output, marker } = startTagged("systemd", command, args, { ...environment, ...emulatorEnv(emulator), PORT: String(port) }, workingDirectory);
    await waitForPort(port, 20_000);
    expect(processesWith(marker)).toEqual([service.pid]);
    service.kill("SIGTERM");
    expect(await exited(service)).toBe(0);
    expect(output.some((line) => line.includes('"shutdown complete"'))).toBe(true);
    const timeoutStopSec = Number(setting("TimeoutStopSec")[0]);
    expect(timeoutStopSec * 1000).toBeGreaterThan(30_000); // SHUTDOWN_GRACE_MS default
  });
});
