import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { libraryPrices } from "../../src/pricing/library-prices.ts";
import { buildPriceTable, type PriceLookup } from "../../src/pricing/price-table.ts";
import builtIn from "../../src/pricing/price-table.json" with { type: "json" };

/**
 * The price coverage report: every model id the emulator, the tests and the docs use, looked up in each layer
 * (genai-prices, the hand table) and in the layered table the gateway uses, with its status (active, retired, or a
 * test artefact that is no Bedrock model). bench/results/price-coverage.md is tracked: this test fails when it is
 * out of date and rewrites it only when asked (UPDATE_PRICE_COVERAGE=1).
 */
const root = resolve(fileURLToPath(import.meta.url), "../../../../..");
const REPORT = "bench/results/price-coverage.md";
const UPDATE = "UPDATE_PRICE_COVERAGE=1 npx bun x --bun vitest run test/pricing/price-coverage.test.ts";
const SOURCES = ["README.md", "packages/bedrock-emulator", "packages/client", "openapi/gateway.yaml", "apps/proxy/test", "apps/proxy/src/pricing/README.md"];
const PROVIDERS = "anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|google|nvidia|stability|twelvelabs|minimax|moonshot|moonshotai|zai";
const MODEL_ID = new RegExp(`\\b(?:(?:us|eu|apac|global|us-gov|jp|au|ca)\\.)?(?:${PROVIDERS})\\.[a-z0-9][a-z0-9.:-]*[a-z0-9]`, "g");
// A callable id ends in a version (`:0`, `-v1`, `-v2:0`); bare prefixes in code (`amazon.titan-embed`) are not ids.
const CALLABLE = /(:\d+|-v\d+)$/;

/**
 * Ids the tests and the emulator use that are no Bedrock model, on purpose: reported apart, never priced on purpose.
 * A new unpriced id must be priced, or listed here, in RETIRED or in UNPRICED_ON_PURPOSE (the second test says which).
 */
const TEST_ARTEFACTS: Record<string, string> = {
  "amazon.nova-throttle-v1:0": "the emulator throttles any model id containing `throttle`",
  "amazon.nova-sonic-throttle-v1:0": "the emulator throttles any model id containing `throttle`",
  "amazon.nova-lite-v1:00": "a wrong version on purpose (allow-list test)",
  "amazon.nova-lite-v1": "cut-off id in a signing or failover test (the emulator takes any id)",
  "us.amazon.nova-lite-v1": "cut-off id in a failover test (the emulator takes any id)",
  "amazon.nova-micro-v1": "cut-off id in a body-rate test (the emulator takes any id)",
  "cohere.command-r-v1": "cut-off id in a signing test (the emulator takes any id)",
  "anthropic.claude-3-haiku-20240307-v1": "cut-off id in an emulator test (the emulator takes any id)",
  "amazon.titan-embed-text-v2": "a prefix the emulator matches on, not a callable id",
};

/** Bedrock models left unpriced on purpose, with the reason. */
const UNPRICED_ON_PURPOSE: Record<string, string> = {
  "twelvelabs.marengo-embed-2-7-v1:0": "served through StartAsyncInvoke only, whose jobs (other than Nova Reel) stay pending: billed at completion, output in S3",
};

/** Models Bedrock no longer serves (or serves only to existing customers until the date), with the source. */
const RETIRED: Record<string, string> = {
  "anthropic.claude-v2": "retired 2025-07-21 (Anthropic's model deprecations page: Claude 2.0)",
  "anthropic.claude-v2:1": "retired 2025-07-21 (Anthropic's model deprecations page: Claude 2.1)",
  "anthropic.claude-instant-v1": "retired 2024-11-06 (Anthropic's model deprecations page: Claude Instant 1.2)",
  "anthropic.claude-3-sonnet-20240229-v1:0": "retired 2025-07-21 (Anthropic's model deprecations page)",
  "anthropic.claude-3-opus-20240229-v1:0": "retired 2026-01-05 (Anthropic's model deprecations page)",
  "anthropic.claude-3-7-sonnet-20250219-v1:0": "EOL on Bedrock 2026-04-28 (awslabs/startups model lifecycle list)",
  "amazon.nova-canvas-v1:0": "Legacy, EOL 2026-09-30 on Bedrock (AWS model lifecycle, as quoted 2026-07-09)",
  "amazon.titan-image-generator-v2:0": "Legacy, EOL 2026-06-30 on Bedrock",
};

function files(path: string): string[] {
  const full = join(root, path);
  if (!statSync(full, { throwIfNoEntry: false })) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|md|py|mjs|yaml)$/.test(f) && !f.includes("node_modules") && !f.includes("dist/") && !f.endsWith("price-coverage.test.ts"))
    .sort() // directory order differs between file systems; the report must not
    .map((f) => join(full, f));
}

function modelIdsInRepo(): Map<string, string> {
  const seen = new Map<string, string>();
  for (const source of SOURCES) {
    for (const file of files(source)) {
      for (const match of readFileSync(file, "utf8").matchAll(MODEL_ID)) {
        const id = match[0];
        if (!CALLABLE.test(id) || seen.has(id)) continue;
        seen.set(id, relative(root, file));
      }
    }
  }
  return seen;
}

const perMillion = (perK: number | undefined) => (perK === undefined ? "–" : `$${+(perK * 1000).toFixed(4)}`);
/** Speech-to-speech models price speech tokens apart (Nova Sonic). */
const speech = (perK: number | undefined) => (perK === undefined ? "" : ` (speech ${perMillion(perK)})`);
/** Per-image prices: input images, or generated images by size tier (standard / premium). */
function perImage(used: PriceLookup): string {
  if (!used.found) return "–";
  const parts: string[] = [];
  if (used.prices.inputImage !== undefined) parts.push(`in $${+(used.prices.inputImage / 1000).toFixed(6)}`);
  for (const tier of used.prices.images ?? []) {
    const size = tier.maxPixels === undefined ? "any size" : `≤${tier.maxPixels.toLocaleString("en-US")} px`;
    parts.push(`${size} $${+(tier.standard / 1000).toFixed(4)}${tier.premium === undefined ? "" : ` / $${+(tier.premium / 1000).toFixed(4)}`}`);
  }
  return parts.join("; ") || "–";
}

function status(id: string, used: PriceLookup): string {
  if (TEST_ARTEFACTS[id] !== undefined) return `test artefact: ${TEST_ARTEFACTS[id]}`;
  if (RETIRED[id] !== undefined) return `retired: ${RETIRED[id]}`;
  if (UNPRICED_ON_PURPOSE[id] !== undefined) return `active, unpriced on purpose: ${UNPRICED_ON_PURPOSE[id]}`;
  return used.found ? "active" : "**unpriced**";
}

describe("price coverage", () => {
  const table = buildPriceTable();
  const handOnly = buildPriceTable(undefined, "override", null);
  const library = libraryPrices();
  const ids = [...modelIdsInRepo()].sort(([a], [b]) => a.localeCompare(b));
  const rows = ids.map(([id, where]) => {
    const used = table.lookup(id, "us-east-1");
    const hand = handOnly.lookup(id, "us-east-1");
    const base = used.resolved.baseModelId ?? id;
    const profileId = used.resolved.profilePrefix ? `${used.resolved.profilePrefix}.${base}` : base;
    const lib = library.lookup(profileId, base.replace(/:(\d+k|mm)$/, ""));
    return { id, where, used, hand, lib };
  });

  function report(): string {
    const lines = [
      "# Price coverage",
      "",
      `Every model id used by the README, the client and emulator packages, the spec and the proxy's tests, looked up as the gateway`,
      `does (us-east-1): the operator's file (none here), then \`@pydantic/genai-prices\` ${library.version}, then the hand table`,
      "(`apps/proxy/src/pricing/price-table.json`, each newer entry with its `_source`). Prices in USD per million tokens (Rerank:",
      "per 1,000 queries × 1,000; video: per 1,000 seconds × 1,000); per-image prices in USD per image (input images of embedding",
      "models; generated images by size tier, standard / premium). Status: active, retired (with the date and source), or a test",
      "artefact (an id the tests use on purpose that is no Bedrock model). Checked by `apps/proxy/test/pricing/price-coverage.test.ts`;",
      `regenerate with \`${UPDATE}\` in \`apps/proxy\`.`,
      "",
      "| model id | status | priced by | input | output | cache read | cache write 5m / 1h | per image | genai-prices | hand table (input / output) |",
      "|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const { id, used, hand, lib } of rows) {
      const p = used.found ? used.prices : undefined;
      const libCell = lib.found ? `${lib.libraryModel}` : `– (${lib.reason})`;
      const handCell = hand.found ? `${perMillion(hand.prices.input)} / ${perMillion(hand.prices.output)}` : "–";
      lines.push(
        `| \`${id}\` | ${status(id, used)} | ${used.found ? used.source : `unpriced: ${used.reason}`} | ${perMillion(p?.input)}${speech(p?.inputAudio)} | ${perMillion(p?.output)}${speech(p?.outputAudio)} | ${perMillion(p?.cacheRead)} | ${perMillion(p?.cacheWrite)} / ${perMillion(p?.cacheWrite1h)} | ${perImage(used)} | ${libCell} | ${handCell} |`,
      );
    }
    const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    const artefact = (r: (typeof rows)[number]) => TEST_ARTEFACTS[r.id] !== undefined;
    lines.push(
      "",
      `${rows.length} ids: ${count((r) => r.used.found && r.used.source === "genai-prices")} priced by genai-prices, ${count((r) => r.used.found && r.used.source === "hand-table")} by the hand table, ` +
        `${count((r) => !r.used.found && !artefact(r))} unpriced models (${count((r) => !r.used.found && RETIRED[r.id] !== undefined)} of them retired), ` +
        `${count(artefact)} test artefacts (${count((r) => artefact(r) && r.used.found)} of which a loose match prices).`,
      "",
    );
    return lines.join("\n");
  }

  it(`${REPORT} is up to date (${UPDATE} rewrites it)`, () => {
    const path = join(root, REPORT);
    const now = report();
    if (process.env.UPDATE_PRICE_COVERAGE === "1") {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, now);
      return;
    }
    const committed = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (committed === now) return;
    const [a, b] = [committed.split("\n"), now.split("\n")];
    const line = a.findIndex((l, i) => l !== b[i]);
    const at = line === -1 ? a.length : line;
    expect.fail(
      `${REPORT} is out of date: regenerate it with \`${UPDATE}\` in apps/proxy and commit it.\n` + `First difference, line ${at + 1}:\n  committed: ${a[at] ?? "(end of file)"}\n  now:       ${b[at] ?? "(end of file)"}`,
    );
  });

  it("every id is priced, retired, or a declared test artefact", () => {
    expect(rows.length).toBeGreaterThan(20);
    const unexplained = rows.filter((r) => !r.used.found && TEST_ARTEFACTS[r.id] === undefined && RETIRED[r.id] === undefined && UNPRICED_ON_PURPOSE[r.id] === undefined).map((r) => `${r.id} (${r.where}): ${r.used.found ? "" : r.used.reason}`);
    expect(unexplained, "price these (library, else the hand table with a _source), or list them in TEST_ARTEFACTS, RETIRED or UNPRICED_ON_PURPOSE").toEqual([]);
    // The lists stay true: no artefact is a model a layer prices by its own exact id.
    for (const id of Object.keys(TEST_ARTEFACTS)) expect(Object.keys(builtIn.models), id).not.toContain(id);
  });

  it("prices every model the README and the client examples call", () => {
    const documented = rows.filter((r) => r.where === "README.md" || r.where.startsWith("packages/client/"));
    expect(documented.length).toBeGreaterThan(2);
    for (const r of documented) expect(r.used.found, `${r.id} (${r.where})`).toBe(true);
  });

  it("never takes a library match for another model or version (Titan Embeddings v2 is not v1)", () => {
    const v2 = rows.find((r) => r.id === "amazon.titan-embed-text-v2:0") ?? { lib: library.lookup("amazon.titan-embed-text-v2:0", "amazon.titan-embed-text-v2:0") };
    expect(v2.lib).toMatchObject({ found: false, libraryModel: "amazon.titan-embed-text-v1" });
    expect(table.lookup("amazon.titan-embed-text-v2:0", "us-east-1")).toMatchObject({ found: true, source: "hand-table", prices: { input: builtIn.models["amazon.titan-embed-text-v2:0"].input } });
  });
});
