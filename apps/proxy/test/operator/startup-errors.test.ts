import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { POSTGRES_ADMIN_URL } from "../support/databases.ts";
import { postgresRefusingPassword } from "../support/postgres-refusing-password.ts";
import { freePort } from "../support/redis-server.ts";

/** A gateway that cannot start says so in one line naming the setting and what to do, on Bun and on Deno. */
const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const entry = path.join(repoRoot, "apps/proxy/src/index.ts");
const runtimes = {
  bun: [path.join(repoRoot, "node_modules/.bin/bun"), entry],
  deno: [path.join(repoRoot, "node_modules/.bin/deno"), "run", "-A", entry],
} as const;

async function start(runtime: keyof typeof runtimes, env: Record<string, string>) {
  const [command, ...args] = runtimes[runtime];
  return promisify(execFile)(command, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AWS_EC2_METADATA_DISABLED: "true", AWS_ACCESS_KEY_ID: "AKIDSTARTUP", AWS_SECRET_ACCESS_KEY: "secret", PORT: "0", DATABASE_URL: "sqlite::memory:", ...env },
    timeout: 30_000,
    encoding: "utf8",
  }).then(
    () => ({ code: 0, stdout: "", stderr: "" }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
  );
}

/** The test server's URL with another user or database: logins it refuses. */
function postgresAs(change: { user?: string; database?: string }): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  if (change.user) url.username = change.user;
  if (change.database) url.pathname = `/${change.database}`;
  return url.toString();
}
const postgresAt = () => new URL(POSTGRES_ADMIN_URL).host;

let occupied: net.Server;
let busyPort: number;
let closedPort: number;
let refusingPassword: Awaited<ReturnType<typeof postgresRefusingPassword>>;
beforeAll(async () => {
  occupied = net.createServer();
  await new Promise<void>((resolve) => occupied.listen(0, "127.0.0.1", resolve));
  busyPort = (occupied.address() as net.AddressInfo).port;
  closedPort = await freePort();
  refusingPassword = await postgresRefusingPassword();
});
afterAll(async () => {
  await new Promise((resolve) => occupied.close(resolve));
  await refusingPassword.close();
});

describe.each(Object.keys(runtimes) as (keyof typeof runtimes)[])("start-up errors on %s", (runtime) => {
  it.each([
    [
      "PostgreSQL not running",
      () => ({ DATABASE_URL: `postgres://gateway:s3cret@127.0.0.1:${closedPort}/gateway` }),
      () => `configuration error: DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:${closedPort}/gateway (connect ECONNREFUSED 127.0.0.1:${closedPort}). Start PostgreSQL there, or set DATABASE_URL to a server that is running.`,
    ],
    [
      "a PostgreSQL password the server refuses",
      () => ({ DATABASE_URL: `postgres://gateway:s3cret@127.0.0.1:${refusingPassword.port}/gateway` }),
      () =>
        `configuration error: DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:${refusingPassword.port}/gateway (password authentication failed for user "gateway"). ` +
        "The server refused the password: set the user's password in DATABASE_URL (postgres://user:password@host:port/database).",
    ],
    [
      "a PostgreSQL role that does not exist",
      () => ({ DATABASE_URL: postgresAs({ user: "no_such_gateway_role" }) }),
      () =>
        `configuration error: DATABASE_URL: cannot use PostgreSQL at ${postgresAt()}/postgres (role "no_such_gateway_role" does not exist). ` +
        "Create that role (CREATE ROLE name LOGIN PASSWORD '...'), or set the user in DATABASE_URL to a role that exists.",
    ],
    [
      "a PostgreSQL database that does not exist",
      () => ({ DATABASE_URL: postgresAs({ database: "no_such_gateway_db" }) }),
      () =>
        `configuration error: DATABASE_URL: cannot use PostgreSQL at ${postgresAt()}/no_such_gateway_db (database "no_such_gateway_db" does not exist). ` +
        "Create that database (CREATE DATABASE name OWNER user), or set DATABASE_URL to a database that exists.",
    ],
    [
      "a PostgreSQL host that does not resolve",
      () => ({ DATABASE_URL: "postgres://gateway:s3cret@no-such-host.invalid:5432/gateway" }),
      () =>
        "configuration error: DATABASE_URL: cannot use PostgreSQL at no-such-host.invalid:5432/gateway (getaddrinfo ENOTFOUND no-such-host.invalid). " +
        "The host name does not resolve: correct the host in DATABASE_URL.",
    ],
    [
      "a HOST that is not an address of this machine",
      () => ({ HOST: "10.255.255.1" }),
      () => "HOST=10.255.255.1: cannot listen on that address (EADDRNOTAVAIL). Set HOST to an address of this machine: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).",
    ],
    [
      "a HOST that does not resolve",
      () => ({ HOST: "no-such-host.invalid" }),
      () => "HOST=no-such-host.invalid: the name cannot be resolved (ENOTFOUND). Set HOST to an address of this machine: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).",
    ],
    [
      "a port in use",
      () => ({ PORT: String(busyPort) }),
      () => `PORT=${busyPort}: the port is already in use on 127.0.0.1. Stop the process using it, or set PORT to a free port.`,
    ],
    [
      "an endpoint URL without its scheme",
      () => ({ AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: "127.0.0.1:4110" }),
      () => "configuration error: AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME must be an http:// or https:// URL such as https://bedrock-runtime.us-east-1.amazonaws.com, got 127.0.0.1:4110",
    ],
    [
      "a DATABASE_URL of another kind",
      () => ({ DATABASE_URL: "mysql://db/gateway" }),
      () => "configuration error: DATABASE_URL must start with sqlite: or postgres://, got mysql:...",
    ],
  ] as [string, () => Record<string, string>, () => string | RegExp][])("%s", async (_label, env, expected) => {
    const result = await start(runtime, env());
    // The whole of stderr is compared (one line, nothing else), so a failure shows every line that was printed.
    const want = expected();
    if (typeof want === "string") expect(result.stderr).toBe(`${want}\n`);
    else expect(result.stderr).toMatch(want);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("s3cret");
    expect(result.stdout).toBe("");
  });
});
