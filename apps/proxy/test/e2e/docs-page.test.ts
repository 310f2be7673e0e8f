import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startStack, type Stack } from "../support/fixture.ts";
import { proxyRuntime } from "../support/gateway-process.ts";

// Debian's chromium; the flags a container without a sandbox or GPU needs.
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`/docs browser test SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`);

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack();
  if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe(`/docs: the API reference rendered from /openapi.json (${proxyRuntime})`, () => {
  it.skipIf(!hasChromium)("renders every operation of the spec in a real browser, with nothing fetched from anywhere but the gateway", async () => {
    const spec = await (await fetch(stack.gateway.url + "/openapi.json")).json();
    const operations = Object.values(spec.paths as Record<string, Record<string, unknown>>).flatMap((item) =>
      Object.keys(item).filter((method) => ["get", "post", "put", "patch", "delete"].includes(method)),
    );

    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    // Offline as the gateway may be: anything not served by the gateway is refused and noted.
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(stack.gateway.url + "/")) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    page.on("pageerror", (error) => problems.push(error.message));

    const response = await page.goto(stack.gateway.url + "/docs");
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.waitForSelector(".opblock", { timeout: 20_000 });
    expect(await page.locator(".opblock").count()).toBe(operations.length);
    const paths = await page.locator(".opblock-summary-path").allTextContents();
    expect(paths.map((p) => p.replace(/\u200b/g, ""))).toContain("/bedrock/model/{modelId}/converse");
    await expect(page.locator(".info .title").textContent()).resolves.toContain(spec.info.title);
    // The spec's Markdown description is rendered, not shown raw.
    expect(await page.locator(".info .markdown p, .info .renderedMarkdown p").count()).toBeGreaterThan(0);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("serves the renderer's files itself, cacheable", async () => {
    for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "init.js"]) {
      const res = await fetch(`${stack.gateway.url}/docs/${file}`);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await fetch(`${stack.gateway.url}/docs/swagger-ui-bundle.js`)).headers.get("cache-control")).toContain("max-age");
  });
});
