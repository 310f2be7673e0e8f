import { describe, expect, it } from "vitest";
import { createGatewayMetrics, type RequestSample } from "../../src/metrics/gateway-metrics.ts";
import { createRegistry } from "../../src/metrics/registry.ts";

const sample = (over: Partial<RequestSample>): RequestSample => ({
  operation: "Converse",
  model: "anthropic.claude-3-haiku-20240307-v1:0",
  status: 200,
  durationSeconds: 0.2,
  ttfbSeconds: 0.1,
  ...over,
});

/** Series lines of one metric, without HELP/TYPE, in a fixed order (sorted) to compare with a sorted list. */
const lines = (text: string, name: string) => text.split("\n").filter((l) => l.startsWith(name + "{") || l.startsWith(name + " ")).sort();
const sorted = (expected: string[]) => [...expected].sort();

describe("gateway metrics", () => {
  it("counts each operation, model and status on its own series, and creates no series that counted nothing", () => {
    const metrics = createGatewayMetrics();
    const haiku = "anthropic.claude-3-haiku-20240307-v1:0";
    metrics.record(sample({ tokens: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 }, spend: 0.5 }));
    metrics.record(sample({ tokens: { input: 1, output: 2, cacheRead: 3, cacheWrite: 0 }, spend: 0.25 }));
    metrics.record(sample({ status: 429, ttfbSeconds: null }));
    metrics.record(sample({ model: "amazon.nova-lite-v1:0", tokens: { input: 7, output: 0, cacheRead: 0, cacheWrite: 0 }, spend: null }));
    metrics.record(sample({ operation: "InvokeModel", tokens: { input: 4, output: 4, cacheRead: 0, cacheWrite: 0 }, spend: 0 }));
    const text = metrics.registry.render();

    expect(lines(text, "bedrock_gateway_requests_total")).toEqual(sorted([
      `bedrock_gateway_requests_total{operation="Converse",model="${haiku}",status="200"} 2`,
      `bedrock_gateway_requests_total{operation="Converse",model="${haiku}",status="429"} 1`,
      `bedrock_gateway_requests_total{operation="Converse",model="amazon.nova-lite-v1:0",status="200"} 1`,
      `bedrock_gateway_requests_total{operation="InvokeModel",model="${haiku}",status="200"} 1`,
    ]));
    expect(lines(text, "bedrock_gateway_errors_total")).toEqual([`bedrock_gateway_errors_total{operation="Converse",model="${haiku}",status="429"} 1`]);
    expect(lines(text, "bedrock_gateway_tokens_total")).toEqual(sorted([
      `bedrock_gateway_tokens_total{operation="Converse",model="${haiku}",type="cache_read"} 3`,
      `bedrock_gateway_tokens_total{operation="Converse",model="${haiku}",type="input"} 11`,
      `bedrock_gateway_tokens_total{operation="Converse",model="${haiku}",type="output"} 7`,
      `bedrock_gateway_tokens_total{operation="Converse",model="amazon.nova-lite-v1:0",type="input"} 7`,
      `bedrock_gateway_tokens_total{operation="InvokeModel",model="${haiku}",type="input"} 4`,
      `bedrock_gateway_tokens_total{operation="InvokeModel",model="${haiku}",type="output"} 4`,
    ]));
    expect(lines(text, "bedrock_gateway_spend_usd_total")).toEqual([`bedrock_gateway_spend_usd_total{operation="Converse",model="${haiku}"} 0.75`]);
    expect(lines(text, "bedrock_gateway_unpriced_requests_total")).toEqual([`bedrock_gateway_unpriced_requests_total{operation="Converse",model="amazon.nova-lite-v1:0"} 1`]);
    expect(lines(text, "bedrock_gateway_request_duration_seconds_count")).toEqual(sorted([
      `bedrock_gateway_request_duration_seconds_count{operation="Converse",model="${haiku}"} 3`,
      `bedrock_gateway_request_duration_seconds_count{operation="Converse",model="amazon.nova-lite-v1:0"} 1`,
      `bedrock_gateway_request_duration_seconds_count{operation="InvokeModel",model="${haiku}"} 1`,
    ]));
    expect(lines(text, "bedrock_gateway_ttfb_seconds_count")).toContain(`bedrock_gateway_ttfb_seconds_count{operation="Converse",model="${haiku}"} 2`);
  });

  it("folds models past the limit into `other`", () => {
    const metrics = createGatewayMetrics({ maxModels: 2 });
    for (const model of ["a", "b", "c", "d", "a"]) metrics.record(sample({ model }));
    expect(lines(metrics.registry.render(), "bedrock_gateway_requests_total")).toEqual(sorted([
      'bedrock_gateway_requests_total{operation="Converse",model="a",status="200"} 2',
      'bedrock_gateway_requests_total{operation="Converse",model="b",status="200"} 1',
      'bedrock_gateway_requests_total{operation="Converse",model="other",status="200"} 2',
    ]));
  });

  it("keeps /metrics small under 520 refused calls with distinct 7,000-character model ids (the amplification found)", () => {
    const metrics = createGatewayMetrics();
    metrics.record(sample({}));
    const before = metrics.registry.render().length;
    for (let i = 0; i < 520; i++) metrics.record(sample({ model: `${i}-` + "x".repeat(7_000), status: 403, ttfbSeconds: null }));
    const text = metrics.registry.render();
    expect(text.length).toBeLessThan(before * 3);
    expect(text).not.toContain("xxxxxxxxxx");
    expect(lines(text, "bedrock_gateway_requests_total")).toContain('bedrock_gateway_requests_total{operation="Converse",model="unverified",status="403"} 520');
  });

  it("labels a model only once a call with it succeeded, and never with an id past the length bound", () => {
    const metrics = createGatewayMetrics();
    metrics.record(sample({ model: "new.model-v1:0", status: 400 }));
    metrics.record(sample({ model: "new.model-v1:0", status: 200 }));
    metrics.record(sample({ model: "new.model-v1:0", status: 429 }));
    metrics.record(sample({ model: "y".repeat(300), status: 200 }));
    expect(lines(metrics.registry.render(), "bedrock_gateway_requests_total")).toEqual(sorted([
      'bedrock_gateway_requests_total{operation="Converse",model="unverified",status="400"} 1',
      'bedrock_gateway_requests_total{operation="Converse",model="new.model-v1:0",status="200"} 1',
      'bedrock_gateway_requests_total{operation="Converse",model="new.model-v1:0",status="429"} 1',
      'bedrock_gateway_requests_total{operation="Converse",model="other",status="200"} 1',
    ]));
  });

  it("caps the number of label sets: past maxSeries everything new shares one series", () => {
    const metrics = createGatewayMetrics({ maxSeries: 10, maxModels: 1_000 });
    for (let i = 0; i < 100; i++) metrics.record(sample({ model: `m${i}`, status: 200 + (i % 7) }));
    const requestLines = lines(metrics.registry.render(), "bedrock_gateway_requests_total");
    expect(requestLines).toHaveLength(11);
    expect(requestLines).toContain('bedrock_gateway_requests_total{operation="other",model="other",status="other"} 90');
  });
});

describe("registry series bound once", () => {
  it("adds to the same series as counting by labels", () => {
    const registry = createRegistry();
    const c = registry.counter("c_total", "C.");
    const bound = c.with({ a: "1", b: "2" });
    bound.inc();
    c.inc({ b: "2", a: "1" }, 2);
    bound.inc(4);
    const h = registry.histogram("h_seconds", "H.", [1]);
    h.with({ a: "1" }).observe(0.5);
    h.observe({ a: "1" }, 2);
    const text = registry.render();
    expect(text).toContain('c_total{a="1",b="2"} 7\n');
    expect(text).toContain('h_seconds_bucket{a="1",le="1"} 1\n');
    expect(text).toContain('h_seconds_count{a="1"} 2\n');
  });
});
