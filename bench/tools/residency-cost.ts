/**
 * What data residency's check of models named outside the path costs, per call, on the four operations that name
 * one elsewhere: StartAsyncInvoke (body `modelId`), RetrieveAndGenerate (body `modelArn`), InvokeInlineAgent (body
 * `foundationModel`, a stream), InvokeAgent (the alias's foundation model, a stream). Each names a `us.` inference
 * profile. Rows: a key without allowed_regions (no body parsing, no lookup: should cost nothing), the same on a
 * baseline checkout (`--baseline=<repo root>`, e.g. the main branch before the check), and a key bound to the
 * profile's three US regions (body parsed, regions looked up once then cached).
 *
 *   npx bun bench/tools/residency-cost.ts [calls per row per round] [--baseline=/path/to/other/checkout]
 *
 * Real gateway processes (Bun) in front of one emulator; sequential calls, interleaved rounds, so machine noise
 * lands on every row alike (row order shuffled each round). Prints a markdown table: p50 and mean ms per call, and
 * the control-plane lookups each row caused (warm-up included; the pricing lookup of InvokeAgent's agent is made
 * for every key).
 */
import path from "node:path";
import { startEmulator } from "@bedrock-gateway/bedrock-emulator";
import { emulatorEnv } from "../../apps/proxy/test/support/fixture.ts";
import { startGateway, type GatewayProcess } from "../../apps/proxy/test/support/gateway-process.ts";

const perRound = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 300);
const baselineRoot = process.argv.find((a) => a.startsWith("--baseline="))?.slice("--baseline=".length);
const rounds = 3;
const MASTER = "sk-bench-residency-master";
const PROFILE = "us.anthropic.claude-3-haiku-20240307-v1:0";
const PROFILE_ARN = `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${PROFILE}`;

const emulator = await startEmulator({
  port: 0,
  controlPlane: { agents: { BENCHAGENT: { foundationModel: PROFILE, aliases: { LIVE: "DRAFT" } } } },
});
const env = { ...emulatorEnv(emulator), MASTER_KEY: MASTER };

async function keyOn(gateway: GatewayProcess, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${gateway.url}/key/generate`, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`/key/generate: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

const operations = {
  StartAsyncInvoke: { path: "/async-invoke", body: { modelId: PROFILE, modelInput: { taskType: "TEXT_VIDEO" }, outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://bench/" } } } },
  RetrieveAndGenerate: {
    path: "/retrieveAndGenerate",
    body: { input: { text: "summarise the documents" }, retrieveAndGenerateConfiguration: { type: "KNOWLEDGE_BASE", knowledgeBaseConfiguration: { knowledgeBaseId: "KB12345678", modelArn: PROFILE_ARN } } },
  },
  InvokeInlineAgent: { path: "/agents/bench-session", body: { inputText: "Hello there", instruction: "Answer briefly, in one sentence, please.", foundationModel: PROFILE } },
  InvokeAgent: { path: "/agents/BENCHAGENT/agentAliases/LIVE/sessions/bench-session/text", body: { inputText: "Hello there" } },
};

async function call(gateway: GatewayProcess, key: string, operation: keyof typeof operations): Promise<number> {
  const { path: route, body } = operations[operation];
  const started = performance.now();
  const res = await fetch(`${gateway.url}/bedrock${route}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${operation}: ${res.status} ${res.headers.get("x-amzn-errortype")}`);
  return ms;
}

const gateway = await startGateway(env, "bun");
const baseline = baselineRoot
  ? await ((await import(path.resolve(baselineRoot, "apps/proxy/test/support/gateway-process.ts"))) as { startGateway: typeof startGateway }).startGateway(env, "bun")
  : null;
try {
  const rows: { name: string; on: GatewayProcess; key: string }[] = [
    { name: "no allowed_regions", on: gateway, key: await keyOn(gateway, {}) },
    ...(baseline ? [{ name: `no allowed_regions, baseline (--baseline checkout)`, on: baseline, key: await keyOn(baseline, {}) }] : []),
    { name: "allowed_regions us-east-1, us-east-2, us-west-2", on: gateway, key: await keyOn(gateway, { allowed_regions: ["us-east-1", "us-east-2", "us-west-2"] }) },
  ];
  const samples = new Map<string, number[]>();
  const lookups = new Map<string, number>();
  const ids = (keyof: keyof typeof operations, row: { name: string }) => `${keyof}\n${row.name}`;
  const timed = async (id: string, run: () => Promise<number>, keep: boolean) => {
    const asked = emulator.controlPlaneRequests.length;
    const ms = await run();
    lookups.set(id, (lookups.get(id) ?? 0) + emulator.controlPlaneRequests.length - asked);
    if (keep) samples.set(id, [...(samples.get(id) ?? []), ms]);
    emulator.requests.length = 0;
  };
  const names = Object.keys(operations) as (keyof typeof operations)[];
  // Warm every process (JIT, connections, the pricing and residency caches) before measuring.
  for (const row of rows) for (const operation of names) for (let i = 0; i < 50; i++) await timed(ids(operation, row), () => call(row.on, row.key, operation), false);
  for (let round = 0; round < rounds; round++) {
    for (const operation of names) {
      for (const row of [...rows].sort(() => Math.random() - 0.5)) {
        for (let i = 0; i < perRound; i++) await timed(ids(operation, row), () => call(row.on, row.key, operation), true);
      }
    }
  }
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`| operation | key | calls | p50 ms | mean ms | control-plane lookups |\n|---|---|---|---|---|---|`);
  for (const operation of names) {
    for (const row of rows) {
      const id = ids(operation, row);
      const xs = samples.get(id)!;
      console.log(`| ${operation} | ${row.name} | ${xs.length} | ${p50(xs).toFixed(3)} | ${mean(xs).toFixed(3)} | ${lookups.get(id)} |`);
    }
  }
} finally {
  await Promise.all([gateway.stop(), baseline?.stop()]);
  await emulator.close();
}
