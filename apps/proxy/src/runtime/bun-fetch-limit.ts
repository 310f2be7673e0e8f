/**
 * Bun lets at most 256 outgoing fetches run at once unless BUN_CONFIG_MAX_HTTP_REQUESTS is set when the process
 * starts (setting it later has no effect); the rest queue silently inside the gateway. A gateway relaying
 * 1,000 concurrent streams needs more, so on Bun without the variable we restart ourselves with it set.
 * Imported first by the entry, which loads the gateway only after this module's top-level await: the parent
 * never gets there (a static sibling import would still be loaded and evaluated in it; it held ~75 MB RSS).
 */
declare const Bun: any;

const VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";
const LIMIT = "65535";
const SUPERVISOR = "BEDROCK_GATEWAY_SUPERVISOR_PID";

if (typeof Bun !== "undefined" && !process.env[VARIABLE]) {
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, [VARIABLE]: LIMIT, [SUPERVISOR]: String(process.pid) },
    stdio: ["inherit", "inherit", "inherit"],
  });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  process.exit(await child.exited);
}

// A supervisor killed with SIGKILL cannot forward anything: the child notices it was orphaned and stops too.
const supervisor = Number(process.env[SUPERVISOR] ?? 0);
if (supervisor > 0) {
  setInterval(() => {
    if (process.ppid !== supervisor) process.kill(process.pid, "SIGTERM");
  }, 1_000).unref();
}

export {};
