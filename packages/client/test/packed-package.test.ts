import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expectedUsage } from "@bedrock-gateway/bedrock-emulator";
// The gateway as operators run it (its own process) in front of the strict emulator; shared with the proxy's e2e suite.
import { startStack, type Stack } from "../../../apps/proxy/test/support/fixture.ts";
import { realNode } from "./real-node.ts";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const fixtures = fileURLToPath(new URL("./fixtures/packed-app", import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
const MASTER = "sk-master-packed";
const SDK_VERSION = "3.1164.0";

// npm under `npm test` exports npm_config_* (prefix, workspace, ...) that would point a child npm back into the
// monorepo; the app must be installed as a stranger would install it.
function outsideEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(name) && !/^(INIT_CWD|BEDROCK_PROXY_URL|GATEWAY_KEY|MASTER_KEY)$/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

let stack: Stack;
let app: string;
let closedUrl: string;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "client-packed-app-"));
  const [started] = await Promise.all([
    startStack({ MASTER_KEY: MASTER }),
    (async () => {
      // `npm pack` runs `prepack` (the build), exactly what `npm publish` would ship.
      const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", app], { cwd: packageDir, env: outsideEnv() });
      const tarball = stdout.trim().split("\n").pop()!;
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "packed-client-app", private: true }));
      cpSync(fixtures, app, { recursive: true });
      await run(
        "npm",
        ["install", `./${tarball}`, `@aws-sdk/client-bedrock-runtime@${SDK_VERSION}`, `@aws-sdk/client-bedrock-agent-runtime@${SDK_VERSION}`,
          "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
        { cwd: app, env: outsideEnv() },
      );
    })(),
  ]);
  stack = started;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (app) rmSync(app, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe("the packed tarball installed into an app outside the workspace", () => {
  it("ships built JavaScript and declarations only: no TypeScript source under node_modules", () => {
    const shipped = filesUnder(join(app, "node_modules/@bedrock-gateway/client")).sort();
    expect(shipped).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "dist/index.cjs", "dist/index.d.cts", "dist/index.d.ts", "dist/index.js", "package.json"]);
  });

  it("the JSR manifest names the same version as package.json", async () => {
    const read = async (file: string) => JSON.parse(await readFile(join(packageDir, file), "utf8"));
    const [npm, jsr] = await Promise.all([read("package.json"), read("jsr.json")]);
    expect({ name: jsr.name, version: jsr.version }).toEqual({ name: npm.name, version: npm.version });
  });

  const messages = [{ role: "user", content: [{ text: "hello from the packed client" }] }];
  const usage = expectedUsage({ messages }, "Converse");

  it.each([
    ["node ESM", () => realNode(), ["esm.mjs", "node-esm"], "node-esm -> @bedrock-gateway/client/dist/index.js"],
    ["node CJS", () => realNode(), ["cjs.cjs", "node-cjs"], "node-cjs -> @bedrock-gateway/client/dist/index.cjs"],
    ["bun", () => bin("bun"), ["esm.mjs", "bun"], "bun -> @bedrock-gateway/client/dist/index.js"],
    ["deno (node_modules)", () => bin("deno"), ["run", "-A", "esm.mjs", "deno"], "deno -> @bedrock-gateway/client/dist/index.js"],
    ["deno (npm: specifier)", () => bin("deno"), ["run", "-A", "deno-npm.mjs"], "deno-npm -> @bedrock-gateway/client/dist/index.js"],
  ])("%s: admin client, Converse, ConverseStream, Retrieve, InvokeAgent, and the first errors", async (_label, command, args, entry) => {
    const { stdout } = await run(command(), args, {
      cwd: app,
      timeout: 60_000,
      env: outsideEnv({
        MASTER_KEY: MASTER,
        BEDROCK_PROXY_URL: stack.gateway.url, // the root, without /bedrock: the client adds it
        CLOSED_URL: closedUrl,
        DENO_DIR: join(app, ".deno"),
        NODE_NO_WARNINGS: "1",
      }),
    });
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({
      entry,
      converse: { text: usage.replyText, usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens } },
      streamed: usage.replyText,
      retrieved: expect.any(Number),
      agentText: expect.stringMatching(/\S/),
      keyAlias: `packed-${entry}`,
      denied: "AccessDeniedException instance",
      unreachable: `Bedrock Gateway: cannot reach the gateway at ${closedUrl}/bedrock (ECONNREFUSED). Is it running there? Pass its address as baseUrl or set BEDROCK_PROXY_URL.`,
      missingKey: expect.stringMatching(/^createProxiedBedrockClient: the first argument \(the key\) is undefined/),
    });
  });
});
