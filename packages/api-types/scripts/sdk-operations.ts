// Reads the operation list straight out of the installed AWS SDK clients' schemas, so the spec can be
// checked against what the SDK will actually send (the SDK is the de-facto definition of these routes).
// The SDK packages are hoisted at the workspace root; they are not declared here on purpose (the lock
// file is shared), so resolution goes through the root node_modules.
import { createRequire } from "node:module";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";

export const sdkPackages = {
  "bedrock-runtime": "@aws-sdk/client-bedrock-runtime",
  "bedrock-agent-runtime": "@aws-sdk/client-bedrock-agent-runtime",
  bedrock: "@aws-sdk/client-bedrock",
} as const;
export type SdkService = keyof typeof sdkPackages;

export interface SdkMember {
  name: string;
  location: "label" | "query" | "header" | "payload" | "body";
  wireName: string;
  streaming: boolean;
}
export interface SdkOperation {
  operationId: string;
  method: string;
  path: string;
  status: number;
  input: SdkMember[];
  output: SdkMember[];
  inputStreaming: boolean;
  outputStreaming: boolean;
}

const require = createRequire(import.meta.url);

type Raw = any;
const deref = (s: Raw): Raw => (typeof s === "function" ? s() : s);

// Smithy's compact schema encodes traits as a bitmask or an object; see @smithy/core translateTraits.
function traitsOf(t: Raw): Record<string, unknown> {
  if (t && typeof t === "object") return t;
  const n = (t ?? 0) | 0;
  const names = ["httpLabel", "idempotent", "idempotencyToken", "sensitive", "httpPayload", "httpResponseCode", "httpQueryParams"];
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if ((n >> i) & 1) out[name] = 1;
  });
  return out;
}

function isStreamingSchema(s: Raw): boolean {
  const d = deref(s);
  if (!Array.isArray(d)) return false;
  // [kind, namespace, name, traits, ...]; blob streams and event-stream unions both carry `streaming`.
  const traits = traitsOf(d[3]);
  return "streaming" in traits;
}

function members(struct: Raw): SdkMember[] {
  const s = deref(struct);
  if (!Array.isArray(s) || s[0] !== 3) return [];
  const names: string[] = s[4] ?? [];
  const schemas: Raw[] = s[5] ?? [];
  return names.map((name, i) => {
    const m = schemas[i];
    const [ref, rawTraits] = Array.isArray(m) ? m : [m, 0];
    const t = traitsOf(rawTraits);
    let location: SdkMember["location"] = "body";
    let wireName = name;
    if (t.httpLabel) location = "label";
    else if (typeof t.httpQuery === "string") (location = "query"), (wireName = t.httpQuery);
    else if (typeof t.httpHeader === "string") (location = "header"), (wireName = t.httpHeader);
    else if (t.httpPayload) location = "payload";
    return { name, location, wireName, streaming: isStreamingSchema(ref) };
  });
}

export function sdkOperations(service: SdkService): SdkOperation[] {
  const mod = require(sdkPackages[service]);
  const ops: SdkOperation[] = [];
  for (const [key, value] of Object.entries(mod)) {
    // Operation schemas are exported as `<Name>$` with kind 9.
    if (!key.endsWith("$") || !Array.isArray(value) || value[0] !== 9) continue;
    const [, , name, traits, input, output] = value as Raw[];
    const [method, path, status] = traits.http as [string, string, number];
    const inp = members(input);
    const outp = members(output);
    ops.push({
      operationId: name,
      method,
      path,
      status,
      input: inp,
      output: outp,
      inputStreaming: inp.some((m) => m.streaming),
      outputStreaming: outp.some((m) => m.streaming),
    });
  }
  return ops.sort((a, b) => a.operationId.localeCompare(b.operationId));
}

// Command class files, one per operation; independent of the schema export so the two can cross-check.
export function sdkCommandNames(service: SdkService): string[] {
  const pkgDir = dirname(require.resolve(`${sdkPackages[service]}/package.json`));
  return readdirSync(join(pkgDir, "dist-es", "commands"))
    .filter((f) => f.endsWith("Command.js"))
    .map((f) => f.replace(/Command\.js$/, ""))
    .sort();
}
