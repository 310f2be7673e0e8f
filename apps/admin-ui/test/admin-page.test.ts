import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, runtimeClient, type Stack } from "../../proxy/test/support/fixture.ts";
import { startGateway } from "../../proxy/test/support/gateway-process.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`admin page browser tests SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(here, "../test-results");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const MASTER = "sk-master-admin-page-test-0123456789";
const MODEL = "amazon.nova-lite-v1:0";
const ALIAS = "ui-e2e";

const converse = (stack: Stack, key: string) =>
  runtimeClient(stack.bedrockUrl, key).send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "Hello from the admin page test" }] }] }));

/** Accessibility: axe-core's WCAG A/AA rules on the page as it is now (injected over CDP, which CSP does not govern). */
async function expectAccessible(page: Page, name: string) {
  await page.evaluate(axeSource + "\n;0");
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as any).axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(" ")).slice(0, 3).join("; ")})`);
  });
  expect(violations, `axe on ${name}`).toEqual([]);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

describe.skipIf(!hasChromium)("the admin page at /ui, in Chromium", () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret = "";
  const cspErrors: string[] = [];
  const bearer = { authorization: `Bearer ${MASTER}` };
  const sessionCookie = async () => (await context.cookies(stack.gateway.url + "/ui/")).find((c) => c.name === "bgw_session");

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: "admin-page-test-secret-key-0123456789abcdef", SPEND_FLUSH_INTERVAL_MS: "50" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.gateway.url });
    page = await context.newPage();
    page.on("console", (m) => {
      if (/content security policy/i.test(m.text())) cspErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("serves the page with a strict CSP and refuses a wrong master key", async () => {
    const response = await page.goto(stack.gateway.url + "/ui/");
    expect(response!.status()).toBe(200);
    const csp = response!.headers()["content-security-policy"];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.getByLabel("Master key").fill("sk-not-the-master-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not the master key");
    // A first visit is not an ended session.
    expect(await page.getByRole("status").count()).toBe(0);
    expect(await sessionCookie()).toBeUndefined();
    // The typed key is not left in the field (nor anywhere in the page).
    expect(await page.getByLabel("Master key").inputValue()).toBe("");
    await expectAccessible(page, "sign-in");
    await shot(page, "sign-in");
  });

  it("signs in to an HttpOnly, SameSite=Strict session cookie; the key is kept nowhere in the page", async () => {
    // By keyboard alone: the field is the first stop, Enter submits.
    await page.goto(stack.gateway.url + "/ui/");
    await page.getByLabel("Master key").waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("master_key");
    await page.keyboard.type(MASTER);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/ui" });
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href, cookie: document.cookie }));
    expect(stored).not.toContain(MASTER);
    expect(await page.content()).not.toContain(MASTER);
  });

  it("creates a key with every /key/generate field and shows its secrets once, with a copy button", async () => {
    // Keyboard: on a fresh load the skip link comes first; the create button answers Enter.
    await page.reload();
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.getByRole("button", { name: "Create key" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("form.key-form").waitFor();
    const form = page.locator("form.key-form");
    await form.getByLabel("Alias").fill(ALIAS);
    await form.getByLabel("User").fill("alice");
    await form.getByLabel("Team").fill("web");
    await form.getByLabel("Models").fill(`${MODEL}, anthropic.*`);
    await form.getByLabel("Allowed routes").fill("runtime");
    await form.getByLabel("Allowed regions").fill("us-east-1, us-west-2");
    await form.getByLabel("Max budget (USD)").fill("5");
    await form.getByLabel("Budget period").fill("30d");
    await form.getByLabel("Requests per minute").fill("100");
    await form.getByLabel("Tokens per minute").fill("100000");
    await form.getByLabel("Lifetime").fill("30d");
    await form.getByLabel("Metadata (JSON)").fill('{"cost_center": "42"}');
    await form.getByLabel(/AWS access key pair/).check();
    await form.getByRole("button", { name: "Create key" }).click();

    const key = page.getByTestId("secret-key");
    await key.waitFor();
    secret = (await key.textContent())!;
    expect(secret).toMatch(/^sk-/);
    expect(await page.getByTestId("secret-aws_access_key_id").textContent()).toMatch(/^BGWA[A-Z0-9]{16}$/);
    await expectAccessible(page, "key created");
    await shot(page, "key-created");
    await page.getByRole("button", { name: "Copy key" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Copy key" }).textContent()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.getByRole("button", { name: "I have copied it" }).click();
    expect(await page.content()).not.toContain(secret);

    const info = await (await fetch(`${stack.gateway.url}/key/info?key=${encodeURIComponent(secret)}`, { headers: bearer })).json();
    expect(info.info).toMatchObject({
      key_alias: ALIAS,
      user_id: "alice",
      team_id: "web",
      models: [MODEL, "anthropic.*"],
      allowed_routes: ["runtime"],
      allowed_regions: ["us-east-1", "us-west-2"],
      max_budget: 5,
      budget_duration: "30d",
      rpm_limit: 100,
      tpm_limit: 100000,
      metadata: { cost_center: "42" },
      blocked: false,
    });
    expect(Date.parse(info.info.expires) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(info.info.aws_access_key_id).toMatch(/^BGWA/);
    await expect.poll(() => page.locator(`tr[data-key="${ALIAS}"]`).textContent()).toContain("user alice, team web");
    expect(await page.locator(`tr[data-key="${ALIAS}"] td.regions`).textContent()).toBe("us-east-1, us-west-2");
  });

  it("lists, searches and filters keys, and edits one", async () => {
    for (const alias of ["ui-other-1", "ui-other-2"]) {
      await fetch(`${stack.gateway.url}/key/generate`, { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify({ key_alias: alias, team_id: "data" }) });
    }
    // Made outside the page: a reload shows them (and the session survives it).
    await page.reload();
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    const rows = () => page.locator("tbody tr[data-key]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-key")).sort());
    await expect.poll(rows).toEqual([ALIAS, "ui-other-1", "ui-other-2"].sort());
    await page.getByRole("searchbox", { name: "Search" }).fill("other-2");
    await expect.poll(rows).toEqual(["ui-other-2"]);
    await page.getByRole("searchbox", { name: "Search" }).fill("");
    const team = page.getByLabel("Team", { exact: true });
    await team.fill("web");
    await team.blur();
    await expect.poll(rows).toEqual([ALIAS]);
    await team.fill("");
    await team.blur();
    await page.getByLabel("State").selectOption("active");
    await expect.poll(rows).toEqual([ALIAS, "ui-other-1", "ui-other-2"].sort());

    expect(await page.locator(`tr[data-key="ui-other-1"] td.regions`).textContent()).toBe("any");

    await page.getByRole("button", { name: `Edit ${ALIAS}` }).click();
    const form = page.locator("form.key-form");
    // The form opens with the key's settings, allowed regions included.
    expect(await form.getByLabel("Allowed regions").inputValue()).toBe("us-east-1, us-west-2");
    await form.getByLabel("Requests per minute").fill("120");
    await form.getByLabel("Allowed regions").fill("us-east-1");
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.locator(`tr[data-key="${ALIAS}"]`).textContent()).toContain("120 rpm");
    expect(await page.locator(`tr[data-key="${ALIAS}"] td.regions`).textContent()).toBe("us-east-1");
    const info = await (await fetch(`${stack.gateway.url}/key/info?key=${encodeURIComponent(secret)}`, { headers: bearer })).json();
    expect([info.info.rpm_limit, info.info.allowed_regions]).toEqual([120, ["us-east-1"]]);
  });

  it("shows a call made with the new key in Requests, with its cost, and on the Spend chart", async () => {
    const out = await converse(stack, secret);
    expect(out.output?.message?.role).toBe("assistant");
    const logs = async () => (await (await fetch(`${stack.gateway.url}/spend/logs?api_key=${encodeURIComponent(secret)}`, { headers: bearer })).json()).data;
    await expect.poll(async () => (await logs()).length).toBe(1);
    const [log] = await logs();
    expect(log.spend).toBeGreaterThan(0);

    await page.getByRole("link", { name: "Requests" }).click();
    const row = page.locator(`tr[data-request="${log.request_id}"]`);
    await row.waitFor();
    const text = (await row.textContent())!;
    expect(text).toContain(ALIAS);
    expect(text).toContain("Converse");
    expect(text).toContain(MODEL);
    expect(text).toContain(`${log.input_tokens.toLocaleString("en-US")} / ${log.output_tokens.toLocaleString("en-US")}`);
    const cost = (await row.getByTestId("cost").textContent())!;
    expect(cost).toMatch(/^\$/);
    await expectAccessible(page, "requests");
    await shot(page, "requests");
    await row.getByRole("button", { name: /Details/ }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.textContent()).toContain(log.upstream_request_id ?? log.request_id);
    expect(await dialog.textContent()).toContain(String(log.spend));
    await expectAccessible(page, "request detail");
    await shot(page, "request-detail");
    await dialog.getByRole("button", { name: "Close" }).click();

    await page.getByRole("link", { name: "Spend" }).click();
    await expect.poll(() => page.getByTestId("total-requests").textContent()).toBe("1");
    expect(await page.getByTestId("total-spend").textContent()).toBe(cost);
    await expect.poll(() => page.getByTestId("spend-groups").textContent()).toContain(MODEL);
    // The chart is drawn (uPlot canvas) with a series named after the model.
    expect(await page.locator(".chart canvas").count()).toBeGreaterThan(0);
    expect(await page.locator(".chart .u-legend").textContent()).toContain(MODEL);
    await page.getByLabel("Group by").selectOption("key");
    await page.getByLabel("Buckets").selectOption("hour");
    await expect.poll(() => page.locator(".chart .u-legend").textContent()).toContain(ALIAS);
    expect(await page.getByTestId("spend-groups").textContent()).toContain(ALIAS);
    // Budgets: the key's $5 budget and how much of it this call used.
    expect(await page.locator("table", { hasText: "Budgets and how much" }).textContent()).toContain(`key ${ALIAS}`);
    await expectAccessible(page, "spend");
    await shot(page, "spend");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe("bucket,key,label,spend_usd,requests,errors,input_tokens,output_tokens,unpriced_requests");
    expect(csv).toContain(`,${ALIAS},${log.spend},1,0,${log.input_tokens},${log.output_tokens},0`);
  });

  it("blocks the key from the page, and the gateway refuses its next call", async () => {
    await page.getByRole("link", { name: "Keys" }).click();
    await page.getByRole("button", { name: `Block ${ALIAS}` }).click();
    await expect.poll(() => page.locator(`tr[data-key="${ALIAS}"] .badge`).textContent()).toBe("blocked");
    await expect(converse(stack, secret)).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expectAccessible(page, "keys");
    await shot(page, "keys");
    await page.getByRole("button", { name: `Delete ui-other-1` }).click();
    await expectAccessible(page, "delete confirmation");
    await shot(page, "delete-confirmation");
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.locator("tbody tr[data-key]").count()).toBe(2);

    // Regenerate (confirmed): a new secret, shown once; the old one is refused at once.
    await page.getByRole("button", { name: `Regenerate ${ALIAS}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Regenerate" }).click();
    const renewed = (await page.getByTestId("secret-key").textContent())!;
    expect(renewed).toMatch(/^sk-/);
    expect(renewed).not.toBe(secret);
    expect(await page.getByTestId("secret-aws_secret_access_key").count()).toBe(1);
    await page.getByRole("button", { name: "I have copied it" }).click();
    await expect(converse(stack, secret)).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    // Unblocked, the new secret works.
    await page.getByRole("button", { name: `Unblock ${ALIAS}` }).click();
    await expect.poll(() => page.locator(`tr[data-key="${ALIAS}"] .badge`).textContent()).toBe("active");
    expect((await converse(stack, renewed)).output?.message?.role).toBe("assistant");
  });

  it("shows health: readiness, storage, version and uptime", async () => {
    await page.getByRole("link", { name: "Health" }).click();
    await expect.poll(() => page.getByTestId("readiness").textContent()).toBe("ok");
    expect(await page.getByTestId("version").textContent()).toBe("0.1.0");
    expect(await page.locator("table", { hasText: "Dependencies" }).textContent()).toContain("storage");
    await expectAccessible(page, "health");
    await shot(page, "health");
  });

  it("refuses cookie-authenticated writes without the CSRF token or from another origin", async () => {
    const cookie = `bgw_session=${(await sessionCookie())!.value}`;
    const origin = stack.gateway.url;
    const post = (headers: Record<string, string>) =>
      fetch(`${origin}/ui/api/key/generate`, { method: "POST", headers: { cookie, "content-type": "application/json", ...headers }, body: JSON.stringify({ key_alias: "csrf" }) });
    const token = (await (await fetch(`${origin}/ui/session`, { headers: { cookie } })).json()).csrf_token as string;
    expect((await post({ origin })).status).toBe(403);
    expect((await post({ origin, "x-csrf-token": "wrong" })).status).toBe(403);
    expect((await post({ origin: "http://evil.example", "x-csrf-token": token })).status).toBe(403);
    expect((await post({ "x-csrf-token": token })).status).toBe(403);

    // A page on another origin of the same site (another port: the browser sends the SameSite cookie) posts a
    // simple, preflight-free request: the gateway refuses it.
    const other: Server = createServer((_, res) => res.end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    try {
      const attacker = await context.newPage();
      await attacker.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const status = await attacker.evaluate(async (url) => {
        await fetch(url + "/ui/api/key/generate", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: '{"key_alias":"csrf"}' });
        return "sent";
      }, origin);
      expect(status).toBe("sent");
      await attacker.close();
    } finally {
      other.close();
    }
    const search = await (await fetch(`${origin}/key/search?q=csrf`, { headers: bearer })).json();
    expect(search.total_count).toBe(0);
    // The session cookie is no credential for the bearer API.
    expect((await fetch(`${origin}/key/list`, { headers: { cookie } })).status).toBe(401);
    // And the page's session reaches admin routes only, never /bedrock.
    expect((await fetch(`${origin}/ui/api/bedrock/model/${MODEL}/converse`, { method: "POST", headers: { cookie, origin, "x-csrf-token": token }, body: "{}" })).status).toBe(404);
  });

  it("signs out on the server: the old cookie is refused, by the API and by the page", async () => {
    const old = (await sessionCookie())!;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Master key").waitFor();
    expect(await page.getByRole("status").textContent()).toBe("Signed out.");
    expect((await fetch(`${stack.gateway.url}/ui/api/key/search`, { headers: { cookie: `bgw_session=${old.value}` } })).status).toBe(401);
    await context.addCookies([old]);
    await page.goto(stack.gateway.url + "/ui/#/keys");
    await page.getByLabel("Master key").waitFor();
    expect(await page.getByRole("heading", { name: "Keys" }).count()).toBe(0);

    // A session ended elsewhere (another tab signed out): the page's next call finds out and asks to sign in again.
    await page.getByLabel("Master key").fill(MASTER);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    const current = (await sessionCookie())!.value;
    const csrf = (await (await fetch(`${stack.gateway.url}/ui/session`, { headers: { cookie: `bgw_session=${current}` } })).json()).csrf_token;
    const elsewhere = await fetch(`${stack.gateway.url}/ui/session`, { method: "DELETE", headers: { cookie: `bgw_session=${current}`, origin: stack.gateway.url, "x-csrf-token": csrf } });
    expect(elsewhere.status).toBe(200);
    // Go to another page as its link would (a hash change, no reload): that page's first call finds out. Not a click
    // on the nav link: in two CI runs Playwright saw the link detached and re-attached for 30 s (not reproduced
    // alone; left for the admin page's next change to look into).
    await page.evaluate(() => void (location.hash = "#/requests"));
    await page.getByLabel("Master key").waitFor();
    expect(await page.getByRole("status").textContent()).toBe("Your session has ended: sign in again.");
    expect(cspErrors).toEqual([]);
  });
});

// Only fetch here, no browser: it runs with or without Chromium.
describe("an expired admin session", () => {
  it("is refused once UI_SESSION_TTL_SECONDS have passed", async () => {
    const gateway = await startGateway({ MASTER_KEY: MASTER, UI_SESSION_TTL_SECONDS: "1", AWS_ACCESS_KEY_ID: "AKIAUNUSED", AWS_SECRET_ACCESS_KEY: "unused" });
    try {
      const signIn = await fetch(`${gateway.url}/ui/session`, { method: "POST", headers: { origin: gateway.url, "content-type": "application/json" }, body: JSON.stringify({ master_key: MASTER }) });
      expect(signIn.status).toBe(200);
      const setCookie = signIn.headers.get("set-cookie")!;
      expect(setCookie).toMatch(/Max-Age=1(;|$)/);
      const cookie = setCookie.split(";")[0]!;
      expect((await fetch(`${gateway.url}/ui/api/key/search`, { headers: { cookie } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_300));
      // The server refuses it even when a client keeps sending the cookie after its Max-Age.
      expect((await fetch(`${gateway.url}/ui/api/key/search`, { headers: { cookie } })).status).toBe(401);
      expect((await fetch(`${gateway.url}/ui/session`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });
});
