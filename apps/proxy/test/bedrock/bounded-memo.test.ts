import { describe, expect, it } from "vitest";
import { boundedMemo } from "../../src/bedrock/bounded-memo.ts";

describe("boundedMemo", () => {
  it("creates once per key while there is room", () => {
    let created = 0;
    const memo = boundedMemo((key) => ({ key, n: ++created }), 3);
    const a = memo("a");
    expect(memo("a")).toBe(a);
    memo("b");
    memo("c");
    expect(created).toBe(3);
    expect(memo("a")).toBe(a);
  });

  it("never holds more than max entries: caller-chosen keys cannot grow it", () => {
    let created = 0;
    const memo = boundedMemo((key) => ({ key, n: ++created }), 3);
    const first = memo("k0");
    for (let i = 1; i < 1000; i++) memo(`k${i}`);
    expect(created).toBe(1000);
    // Dropped once the map filled up: made again.
    expect(memo("k0")).not.toBe(first);
    expect(created).toBe(1001);
  });
});
