import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { realNode } from "./real-node.ts";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

// Consumers on plain Node load dist/ through the exports map; both module formats must work (built in global setup).
const probe = `
  const made = [
    m.createProxiedBedrockClient("sk-x").constructor.name,
    m.createProxiedBedrockAgentClient({ accessKeyId: "AKID", secretAccessKey: "s" }).constructor.name,
    typeof m.createGatewayAdminClient("sk-master").POST,
  ];
  console.log(JSON.stringify({ node: process.version, made }));
`;

async function node(args: string[]) {
  const { stdout } = await run(realNode(), ["--no-warnings", ...args], { cwd: packageDir, timeout: 20_000 });
  return JSON.parse(stdout.trim());
}

describe("built package on Node", () => {
  it("node is version 20 or newer", async () => {
    const { stdout } = await run(realNode(), ["--version"]);
    expect(Number(/^v(\d+)/.exec(stdout)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it("require() loads dist/index.cjs and creates clients", async () => {
    const out = await node(["-e", `const m = require("@bedrock-gateway/client");
      if (!require.resolve("@bedrock-gateway/client").endsWith("dist/index.cjs")) throw new Error("wrong entry");
      ${probe}`]);
    expect(out.made).toEqual(["BedrockRuntimeClient", "BedrockAgentRuntimeClient", "function"]);
  });

  it("import() loads dist/index.js and creates clients", async () => {
    const out = await node(["--input-type=module", "-e", `const m = await import("@bedrock-gateway/client");
      if (!import.meta.resolve("@bedrock-gateway/client").endsWith("dist/index.js")) throw new Error("wrong entry");
      ${probe}`]);
    expect(out.made).toEqual(["BedrockRuntimeClient", "BedrockAgentRuntimeClient", "function"]);
  });
});
