import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { emulatorEnv, startStack, type Stack } from "../support/fixture.ts";
import { throwawayPostgres } from "../support/databases.ts";
import { h2Fetch } from "../support/h2-request.ts";
import { proxyRuntime, startGateway } from "../support/gateway-process.ts";
import { removeScratchDirs } from "../support/scratch-dir.ts";
import { selfSignedCertificate } from "../support/tls-certificate.ts";

const MASTER = "sk-master-ui-e2e-0123456789";

/**
 * The admin page's server side on the runtime under test (Bun, and Deno in test:deno): the built page, the
 * session exchange, CSRF and Origin checks, and the admin API behind /ui/api. apps/admin-ui/test drives the same
 * in Chromium.
 */
describe(`admin page routes on ${proxyRuntime}`, () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER });
    origin = stack.gateway.url;
  });
  afterAll(() => stack?.stop());

  const signIn = (key: string, headers: Record<string, string> = {}) =>
    fetch(`${origin}/ui/session`, { method: "POST", headers: { "content-type": "application/json", origin, ...headers }, body: JSON.stringify({ master_key: key }) });

  it("serves the built page under a strict Content-Security-Policy", async () => {
    const page = await fetch(`${origin}/ui/`);
    if (page.status === 503) throw new Error("apps/admin-ui is not built: run `npm run build`");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(origin + script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${origin}/ui/assets/../../../package.json`)).status).toBe(404);
    expect((await fetch(`${origin}/uix`)).status).toBe(404);
  });

  it("exchanges the master key for an HttpOnly SameSite=Strict cookie, and refuses a wrong key or a foreign origin", async () => {
    expect((await signIn("sk-wrong")).status).toBe(401);
    expect((await signIn(MASTER, { origin: "http://evil.example" })).status).toBe(403);
    const ok = await signIn(MASTER);
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^bgw_session=[\w-]{43}; Path=\/ui; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const body = await ok.json();
    expect(body.csrf_token).toMatch(/^[\w-]{43}$/);
    expect(JSON.stringify(body)).not.toContain(MASTER);
    // Behind a TLS-terminating proxy the cookie is Secure.
    expect((await signIn(MASTER, { "x-forwarded-proto": "https" })).headers.get("set-cookie")).toContain("; Secure");
  });

  it("reaches the admin API with the session; writes need the CSRF token and this origin; sign-out ends it", async () => {
    const signedIn = await signIn(MASTER);
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    const { csrf_token: csrf } = await signedIn.json();
    const generate = (headers: Record<string, string>) =>
      fetch(`${origin}/ui/api/key/generate`, { method: "POST", headers: { cookie, "content-type": "application/json", ...headers }, body: JSON.stringify({ key_alias: "from-ui" }) });

    expect((await fetch(`${origin}/ui/api/key/search`)).status).toBe(401);
    expect((await fetch(`${origin}/ui/api/key/search`, { headers: { cookie } })).status).toBe(200);
    expect((await generate({ origin })).status).toBe(403);
    expect((await generate({ origin, "x-csrf-token": csrf.slice(1) })).status).toBe(403);
    expect((await generate({ origin: "http://evil.example", "x-csrf-token": csrf })).status).toBe(403);
    expect((await generate({ origin, "x-csrf-token": csrf, "sec-fetch-site": "same-site" })).status).toBe(403);
    const created = await generate({ origin, "x-csrf-token": csrf });
    expect(created.status).toBe(200);
    expect((await created.json()).key).toMatch(/^sk-/);
    expect(created.headers.get("cache-control")).toBe("no-store");

    // The bearer API is unchanged, and the cookie is no credential there.
    expect((await fetch(`${origin}/key/search?q=from-ui`, { headers: { authorization: `Bearer ${MASTER}` } })).status).toBe(200);
    expect((await fetch(`${origin}/key/search?q=from-ui`, { headers: { cookie } })).status).toBe(401);
    // The session never reaches /bedrock.
    expect((await fetch(`${origin}/ui/api/bedrock/model/m/converse`, { method: "POST", headers: { cookie, origin, "x-csrf-token": csrf }, body: "{}" })).status).toBe(404);

    const out = await fetch(`${origin}/ui/session`, { method: "DELETE", headers: { cookie, origin, "x-csrf-token": csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await fetch(`${origin}/ui/api/key/search`, { headers: { cookie } })).status).toBe(401);
  });

  it("under /ui/api only the session counts, checked by the admin API's own hook before the body; validation reads the same", async () => {
    const bearer = { authorization: `Bearer ${MASTER}` };
    expect(await (await fetch(`${origin}/ui/api/key/search`, { headers: bearer })).json()).toMatchObject({ type: "auth_error", message: /Not signed in/ });
    expect((await fetch(`${origin}/ui/api/health/readiness`)).status).toBe(401);
    const signedIn = await signIn(MASTER);
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    const { csrf_token: csrf } = await signedIn.json();
    const post = (path: string, body: string, headers: Record<string, string> = { origin, "x-csrf-token": csrf }) =>
      fetch(`${origin}/ui/api${path}`, { method: "POST", headers: { cookie, "content-type": "application/json", ...headers }, body });
    // A write without the CSRF token is refused before its body is looked at.
    expect((await post("/key/generate", "not json", { origin })).status).toBe(403);
    const refused = await post("/key/generate", JSON.stringify({ rpm_limit: -1 }));
    expect([refused.status, await refused.json()]).toEqual([400, { type: "invalid_request_error", message: "rpm_limit must not be negative, got -1." }]);
    expect(refused.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const health = await fetch(`${origin}/ui/api/health/readiness`, { headers: { cookie } });
    expect(await health.json()).toMatchObject({ status: expect.stringMatching(/^(ok|degraded|unavailable)$/), storage: expect.any(String) });
  });
});

describe(`admin page sessions across instances on ${proxyRuntime}`, () => {
  it("a session opened on one instance works on another, and signing out on one ends it on both", async () => {
    const db = await throwawayPostgres();
    const env = { MASTER_KEY: MASTER, DATABASE_URL: db.url, ...emulatorEnv({ url: "http://127.0.0.1:9" }) };
    const [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
    try {
      const signedIn = await fetch(`${a.url}/ui/session`, { method: "POST", headers: { origin: a.url, "content-type": "application/json" }, body: JSON.stringify({ master_key: MASTER }) });
      const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
      const { csrf_token: csrf } = await signedIn.json();
      expect((await fetch(`${b.url}/ui/api/key/search`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${b.url}/ui/session`, { method: "DELETE", headers: { cookie, origin: b.url, "x-csrf-token": csrf } })).status).toBe(200);
      expect((await fetch(`${a.url}/ui/api/key/search`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
    }
  });
});

// Browsers speak HTTP/2 to a TLS origin, and HTTP/2 has no Host header, only `:authority`: the Origin check must
// read the authority there (on Deno the request has no Host header at all; behind the front and without it).
describe(`admin page over HTTP/2 with TLS on ${proxyRuntime}`, () => {
  const tlsFiles = selfSignedCertificate();
  afterAll(() => removeScratchDirs());
  const variants: Record<string, string>[] = proxyRuntime === "deno" ? [{}, { DENO_HTTP2_FRONT: "false" }] : [{}];
  for (const variant of variants) {
    it(`signs in (Secure cookie), writes with cookie and CSRF token, refuses a foreign origin${variant.DENO_HTTP2_FRONT ? " (DENO_HTTP2_FRONT=false)" : ""}`, async () => {
      const gateway = await startGateway({ MASTER_KEY: MASTER, TLS_CERT_FILE: tlsFiles.cert, TLS_KEY_FILE: tlsFiles.key, ...emulatorEnv({ url: "http://127.0.0.1:9" }), ...variant });
      const session = await new Promise<http2.ClientHttp2Session>((resolve, reject) => {
        const s = http2.connect(gateway.url, { ca: readFileSync(tlsFiles.cert, "utf8") });
        s.once("connect", () => resolve(s));
        s.once("error", reject);
      });
      try {
        expect(session.alpnProtocol).toBe("h2");
        const origin = gateway.url;
        const json = { "content-type": "application/json" };
        const signIn = (from: string) => h2Fetch(session, "POST", "/ui/session", { ...json, origin: from }, JSON.stringify({ master_key: MASTER }));

        expect((await signIn("https://evil.example")).status).toBe(403);
        const signedIn = await signIn(origin);
        expect([signedIn.status, signedIn.text]).toEqual([200, expect.stringContaining("csrf_token")]);
        const setCookie = String(signedIn.headers["set-cookie"]);
        expect(setCookie).toMatch(/^bgw_session=[\w-]{43}; Path=\/ui; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
        const cookie = setCookie.split(";")[0]!;
        const { csrf_token: csrf } = JSON.parse(signedIn.text);

        const generate = (headers: Record<string, string>) => h2Fetch(session, "POST", "/ui/api/key/generate", { ...json, cookie, ...headers }, JSON.stringify({ key_alias: "over-h2" }));
        const created = await generate({ origin, "x-csrf-token": csrf });
        expect([created.status, JSON.parse(created.text).key]).toEqual([200, expect.stringMatching(/^sk-/)]);
        expect((await generate({ origin: "https://evil.example", "x-csrf-token": csrf })).status).toBe(403);
        expect((await generate({ origin: "https://127.0.0.1:1", "x-csrf-token": csrf })).status).toBe(403);
        expect((await generate({ "x-csrf-token": csrf })).status).toBe(403);
        const out = await h2Fetch(session, "DELETE", "/ui/session", { cookie, origin, "x-csrf-token": csrf });
        expect(out.status).toBe(200);
      } finally {
        session.close();
        await gateway.stop();
      }
    });
  }
});
