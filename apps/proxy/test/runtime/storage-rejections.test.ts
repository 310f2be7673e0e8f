import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// A child process per case: what is under test is whether the process survives.
const dir = mkdtempSync(join(tmpdir(), "storage-rejections-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const module = resolve(import.meta.dirname, "../../src/runtime/storage-rejections.ts");
const bun = resolve(import.meta.dirname, "../../../../node_modules/.bin/bun");

function run(name: string, fault: string) {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `import { surviveStorageRejections } from ${JSON.stringify(module)};
surviveStorageRejections();
setTimeout(() => { ${fault} }, 5);
setTimeout(() => console.log("ALIVE"), 80);
`);
  return spawnSync(bun, [file], { encoding: "utf8", timeout: 20_000 });
}

describe("faults outside any request", () => {
  it("a TypeError thrown from postgres.js's connection (Deno, a restart) is logged and the gateway keeps serving", () => {
    const r = run("driver", `const e = new TypeError("Cannot read properties of null (reading 'write')");
e.stack = e.name + ": " + e.message + "\\n    at nextWrite (file:///srv/node_modules/postgres/src/connection.js:255:22)"; throw e;`);
    expect(r.stdout).toContain("ALIVE");
    expect(r.stdout).toContain("the PostgreSQL driver failed outside any request");
    expect(r.status).toBe(0);
  });

  it("an unhandled ECONNRESET rejection is logged and the gateway keeps serving", () => {
    const r = run("reset", `Promise.reject(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));`);
    expect(r.stdout).toContain("ALIVE");
    expect(r.status).toBe(0);
  });

  it("any other uncaught exception still ends the process", () => {
    const r = run("other", `throw new TypeError("a bug of ours");`);
    expect(r.stdout).not.toContain("ALIVE");
    expect(r.status).toBe(1);
  });
});
