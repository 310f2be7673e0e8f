/** CLI (`npm run emulator -- ...` from the repository root): bun packages/bedrock-emulator/src/main.ts --port 4010 [--no-record] [--stream-delay-ms N] [--faults '<JSON rules>'] */
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, startEmulator } from "./index.ts";

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

const args = typeof Bun !== "undefined" ? Bun.argv.slice(2) : (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? [];
const env = (name: string) =>
  typeof process !== "undefined" ? process.env[name] : (globalThis as { Deno?: { env: { get(n: string): string | undefined } } }).Deno?.env.get(name);

const port = Number(argValue(args, "--port") ?? env("EMULATOR_PORT") ?? 4010);
const hostname = argValue(args, "--hostname") ?? "127.0.0.1";
const streamDelay = argValue(args, "--stream-delay-ms");
const faults = argValue(args, "--faults");

const emulator = await startEmulator({
  port,
  hostname,
  recordRequests: !args.includes("--no-record"),
  streamEventDelayMs: streamDelay === undefined ? 0 : Number(streamDelay),
  faults: faults === undefined ? [] : JSON.parse(faults),
});

console.log(`bedrock-emulator listening on ${emulator.url}`);
console.log(`  AWS_ACCESS_KEY_ID=${EMULATOR_ACCESS_KEY_ID}`);
console.log(`  AWS_SECRET_ACCESS_KEY=${EMULATOR_SECRET_ACCESS_KEY}`);
console.log(`  AWS_REGION=us-east-1 (any region-shaped value is accepted), SigV4 service: bedrock`);

// SIGTERM from a supervisor (or npm, whose script execs this process) and Ctrl-C close the server and exit 0.
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void emulator.close().finally(() => process.exit(0)));
