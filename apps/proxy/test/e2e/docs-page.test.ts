import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
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
  /** Opens the page at `url` in Chromium, offline but for `origin`; every operation of the spec must render. */
  async function renderedOperations(url: string, origin: string) {
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
      if (url.startsWith(origin + "/")) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    page.on("pageerror", (error) => problems.push(error.message));

    const response = await page.goto(url);
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
  }

  it.skipIf(!hasChromium)("renders every operation of the spec in a real browser, with nothing fetched from anywhere but the gateway", async () => {
    await renderedOperations(stack.gateway.url + "/docs", stack.gateway.url);
  });

  it.skipIf(!hasChromium)("renders behind a reverse proxy that mounts the gateway under a path, every request staying under it", async () => {
    // A front proxy serving the gateway at /gw/ only: what it strips is the prefix, what it refuses is noted.
    const outsidePrefix: string[] = [];
    const front = http.createServer(async (req, res) => {
      if (!req.url?.startsWith("/gw/")) {
        outsidePrefix.push(req.url ?? "");
        res.writeHead(404).end();
        return;
      }
      const answer = await fetch(stack.gateway.url + req.url.slice("/gw".length), { redirect: "manual" });
      const headers = Object.fromEntries([...answer.headers].filter(([name]) => !["content-encoding", "content-length", "transfer-encoding"].includes(name)));
      res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    try {
      await renderedOperations(`${origin}/gw/docs`, origin);
      // `/docs/` is sent back to the page, under the prefix too.
      const slash = await fetch(`${origin}/gw/docs/`, { redirect: "manual" });
      expect([slash.status, new URL(slash.headers.get("location")!, `${origin}/gw/docs/`).pathname]).toEqual([308, "/gw/docs"]);
      expect(outsidePrefix).toEqual([]);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it("links the page's renderer, script and spec by relative URLs, so a path prefix in front of the gateway keeps working", async () => {
    const html = await (await fetch(stack.gateway.url + "/docs")).text();
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls.sort()).toEqual(["docs/init.js", "docs/swagger-ui-bundle.js", "docs/swagger-ui.css", "openapi.json"]);
    const init = await (await fetch(stack.gateway.url + "/docs/init.js")).text();
    expect(init).toMatch(/url: "openapi\.json"/);
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
