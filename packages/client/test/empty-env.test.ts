import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { realNode } from "./real-node.ts";
import { converseAnswer, startRecordingServer, type RecordingServer } from "./recording-server.ts";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/empty-env-client.mjs", import.meta.url));
const bun = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));

let server: RecordingServer;
let home: string;
beforeAll(async () => {
  server = await startRecordingServer();
  server.reply = (req) => ({ body: req.url.includes("/retrieve") ? { retrievalResults: [] } : converseAnswer });
  home = mkdtempSync(join(tmpdir(), "empty-home-"));
});
afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

// Like `env -i PATH=... HOME=<empty dir>`: no AWS_* variables, no ~/.aws. If the client ever fell back to the
// AWS credential chain it would throw CredentialsProviderError here (after slow IMDS probes).
describe.each([
  ["node (dist/)", realNode()],
  ["bun (dist/)", bun],
])("bearer client in an empty environment: %s", (_label, command) => {
  it("sends requests without any AWS credentials", async () => {
    const before = server.requests.length;
    const { stdout, stderr } = await run(command, [fixture, `${server.origin}/bedrock`], {
      cwd: packageDir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
      timeout: 20_000,
    }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? String(e) }));
    expect(stderr).not.toMatch(/CredentialsProviderError|Could not load credentials/);
    expect(JSON.parse(stdout.trim().split("\n").pop() ?? "{}")).toEqual({ ok: true, text: "hello from the fake gateway", results: 0 });
    const sent = server.requests.slice(before);
    expect(sent.map((r) => r.headers.authorization)).toEqual(["Bearer sk-empty-env", "Bearer sk-empty-env"]);
    expect(readdirSync(home)).not.toContain(".aws");
  });
});
