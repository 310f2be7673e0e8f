import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { libraryPrices } from "../../src/pricing/library-prices.ts";
import { buildPriceTable } from "../../src/pricing/price-table.ts";
import builtIn from "../../src/pricing/price-table.json" with { type: "json" };

/**
 * The price coverage report: every model id the emulator, the tests and the docs use, looked up in each layer
 * (genai-prices, the hand table) and in the layered table the gateway uses. Written to
 * bench/results/price-coverage.md; the assertions keep what the docs show priced, and the library's loose matches out.
 */
const root = resolve(fileURLToPath(import.meta.url), "../../../../..");
const SOURCES = ["README.md", "packages/bedrock-emulator", "packages/client", "openapi/gateway.yaml", "apps/proxy/test", "apps/proxy/src/pricing/README.md"];
const MODEL_ID = /\b(?:(?:us|eu|apac|global|us-gov|jp|au|ca)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|google|nvidia)\.[a-z0-9][a-z0-9.:-]*[a-z0-9]/g;
// A callable id ends in a version (`:0`, `-v1`, `-v2:0`); bare prefixes in code (`amazon.titan-embed`) are not ids.
const CALLABLE = /(:\d+|-v\d+)$/;

function files(path: string): string[] {
  const full = join(root, path);
  if (!statSync(full, { throwIfNoEntry: false })) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|md|py|mjs|yaml)$/.test(f) && !f.includes("node_modules") && !f.includes("dist/") && !f.endsWith("price-coverage.test.ts"))
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

  it("writes bench/results/price-coverage.md", () => {
    const lines = [
      "# Price coverage",
      "",
      `Every model id used by the README, the client and emulator packages, the spec and the proxy's tests, looked up as the gateway`,
      `does (us-east-1): the operator's file (none here), then \`@pydantic/genai-prices\` ${library.version}, then the hand table`,
      "(`apps/proxy/src/pricing/price-table.json`). Prices in USD per million tokens (Rerank: per 1,000 queries × 1,000;",
      "video: per 1,000 seconds × 1,000). Written by `apps/proxy/test/pricing/price-coverage.test.ts`.",
      "",
      "| model id | priced by | input | output | cache read | cache write 5m / 1h | genai-prices | hand table (input / output) | first seen in |",
      "|---|---|---|---|---|---|---|---|---|",
    ];
    for (const { id, where, used, hand, lib } of rows) {
      const p = used.found ? used.prices : undefined;
      const libCell = lib.found ? `${lib.libraryModel}` : `– (${lib.reason})`;
      const handCell = hand.found ? `${perMillion(hand.prices.input)} / ${perMillion(hand.prices.output)}` : "–";
      lines.push(
        `| \`${id}\` | ${used.found ? used.source : `**unpriced**: ${used.reason}`} | ${perMillion(p?.input)}${speech(p?.inputAudio)} | ${perMillion(p?.output)}${speech(p?.outputAudio)} | ${perMillion(p?.cacheRead)} | ${perMillion(p?.cacheWrite)} / ${perMillion(p?.cacheWrite1h)} | ${libCell} | ${handCell} | ${where} |`,
      );
    }
    const counts = { "genai-prices": 0, "hand-table": 0, override: 0, unpriced: 0 };
    for (const r of rows) counts[r.used.found ? r.used.source : "unpriced"]++;
    lines.push("", `${rows.length} ids: ${counts["genai-prices"]} priced by genai-prices, ${counts["hand-table"]} by the hand table, ${counts.unpriced} unpriced.`, "");
    mkdirSync(join(root, "bench/results"), { recursive: true });
    writeFileSync(join(root, "bench/results/price-coverage.md"), lines.join("\n"));
    expect(rows.length).toBeGreaterThan(20);
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
