/**
 * Bun lets at most 256 outgoing fetches run at once unless BUN_CONFIG_MAX_HTTP_REQUESTS is set when the process
 * starts (setting it later has no effect); the rest queue silently inside the gateway. A gateway relaying
 * 1,000 concurrent streams needs more, so on Bun without the variable we restart ourselves with it set.
 * Imported first by the entry: its top-level await holds the rest of the gateway from loading in the parent.
 */
declare const Bun: any;

const VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";
const LIMIT = "65535";

if (typeof Bun !== "undefined" && !process.env[VARIABLE]) {
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, [VARIABLE]: LIMIT },
    stdio: ["inherit", "inherit", "inherit"],
  });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  process.exit(await child.exited);
}
export {};
