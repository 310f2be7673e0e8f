import { describe, expect, it } from "vitest";
import { requestId } from "../../src/bedrock/request-id.ts";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestId: time-ordered UUIDs (version 7)", () => {
  it("is a version 7, RFC variant UUID carrying the millisecond it was made", () => {
    const now = Date.UTC(2026, 10, 25, 19, 12, 22, 345);
    const id = requestId(now);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it("sorts by time, so spend rows append to the primary-key index", () => {
    const times = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 1_764_000_000_000, 1_764_000_000_001, 2 ** 48 - 1];
    const ids = times.map((t) => requestId(t));
    expect([...ids].sort()).toEqual(ids);
    for (const [i, id] of ids.entries()) expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(times[i]);
  });

  it("never repeats, across refills of its random pool", () => {
    const now = Date.now();
    const ids = Array.from({ length: 5_000 }, () => requestId(now));
    for (const id of ids) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(ids.length);
    // The random part varies in every position, not only where the pool happens to start.
    const tails = new Set(ids.map((id) => id.slice(24, 36)));
    expect(tails.size).toBe(ids.length);
  });
});
