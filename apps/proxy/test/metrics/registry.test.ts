import { describe, expect, it } from "vitest";
import { createRegistry } from "../../src/metrics/registry.ts";
import { storableBody } from "../../src/spend/redact.ts";

describe("metrics registry", () => {
  it("renders counters, gauges and cumulative histogram buckets in Prometheus text", () => {
    const registry = createRegistry();
    const requests = registry.counter("requests_total", "Requests.");
    requests.inc({ operation: "Converse", status: "200" });
    requests.inc({ status: "200", operation: "Converse" }, 2);
    requests.inc({ operation: 'we"ird\n', status: "500" });
    registry.gauge("queue_depth", "Queue.", () => 7);
    const h = registry.histogram("duration_seconds", "Duration.", [0.1, 1]);
    h.observe({ operation: "Converse" }, 0.05);
    h.observe({ operation: "Converse" }, 0.5);
    h.observe({ operation: "Converse" }, 5);
    const text = registry.render();
    expect(text).toContain("# TYPE requests_total counter\n");
    expect(text).toContain('requests_total{operation="Converse",status="200"} 3\n');
    expect(text).toContain('requests_total{operation="we\\"ird\\n",status="500"} 1\n');
    expect(text).toContain("queue_depth 7\n");
    expect(text).toContain('duration_seconds_bucket{operation="Converse",le="0.1"} 1\n');
    expect(text).toContain('duration_seconds_bucket{operation="Converse",le="1"} 2\n');
    expect(text).toContain('duration_seconds_bucket{operation="Converse",le="+Inf"} 3\n');
    expect(text).toContain('duration_seconds_sum{operation="Converse"} 5.55\n');
    expect(text).toContain('duration_seconds_count{operation="Converse"} 3\n');
  });
});

describe("stored bodies", () => {
  it("redacts secret-looking fields at any depth and refuses non-JSON", () => {
    const body = new TextEncoder().encode(JSON.stringify({ messages: [{ text: "hi" }], settings: { api_key: "sk-1", Authorization: "Bearer x", nested: [{ password: "p" }] }, usage: { inputTokens: 3 } }));
    const stored = storableBody(body)!;
    expect(stored).not.toMatch(/sk-1|Bearer x|"p"/);
    expect(JSON.parse(stored)).toMatchObject({ messages: [{ text: "hi" }], settings: { api_key: "[redacted]", Authorization: "[redacted]", nested: [{ password: "[redacted]" }] }, usage: { inputTokens: 3 } });
    expect(storableBody(new Uint8Array([0, 1, 2]))).toBe("[3 bytes, not JSON: not stored]");
  });

  it("redacts private keys, passphrases, pwd, auth, jwt and the like, but not fields that only contain those letters", () => {
    const secrets = { private_key: "-----BEGIN", privateKey: "k1", passphrase: "pp", pwd: "pw1", auth: "a1", jwt: "eyJ", "x-auth": "a2", authToken: "a3", db_pass: "p2", otp: "123456", access_key: "AKIA1", client_secret: "cs" };
    const plain = { author: "Ada", passage: "text", tokens_used: 3, authority: "x" };
    const stored = JSON.parse(storableBody(new TextEncoder().encode(JSON.stringify({ ...secrets, ...plain, nested: [{ ...secrets }] })))!);
    for (const name of Object.keys(secrets)) {
      expect(stored[name], name).toBe("[redacted]");
      expect(stored.nested[0][name], name).toBe("[redacted]");
    }
    expect(stored).toMatchObject(plain);
  });
});
