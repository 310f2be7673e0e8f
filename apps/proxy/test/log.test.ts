import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "../src/log.ts";

describe("log: one JSON object per line", () => {
  afterEach(() => vi.restoreAllMocks());

  it("puts time, level and message first, then the fields, and stays valid JSON without fields", () => {
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(...text.split("\n")));
    log.warn('a "quoted" message', { request_id: "r1", status: 200, note: null });
    log.warn("no fields");
    log.warn("empty fields", {});
    const [first, second, third] = printed.map((l) => JSON.parse(l));
    expect(Object.keys(first)).toEqual(["time", "level", "msg", "request_id", "status", "note"]);
    expect(first).toMatchObject({ level: "warn", msg: 'a "quoted" message', request_id: "r1", status: 200, note: null });
    expect(Number.isNaN(Date.parse(first.time))).toBe(false);
    expect(second).toEqual({ time: second.time, level: "warn", msg: "no fields" });
    expect(third).toEqual({ time: third.time, level: "warn", msg: "empty fields" });
  });
});
