import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSpendJournal, spendJournalDir } from "../../src/spend/journal.ts";
import { createSpendLogWriter } from "../../src/spend/log-writer.ts";
import type { SpendLogRow } from "../../src/store/spend-types.ts";

const row = (id: string) => ({ requestId: id, inputTokens: 1 }) as SpendLogRow;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gw-journal-test-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("spend journal", () => {
  it("rows queued while the store is down survive a process that never closed its writer (kill -9), and are stored after", async () => {
    const dir = tempDir();
    const down = createSpendLogWriter({ insert: async () => Promise.reject(Object.assign(new Error("down"), { code: "ECONNREFUSED" })), intervalMs: 10_000, journal: openSpendJournal(dir) });
    for (let i = 0; i < 30; i++) down.hold(row(`r${i}`))();
    // A row held (journaled) but not yet queued when the process died counts too.
    down.hold(row("held-only"));
    // No close(): the process is gone.

    const stored: string[] = [];
    const next = createSpendLogWriter({ insert: async (rows) => void stored.push(...rows.map((r) => r.requestId)), intervalMs: 10_000, journal: openSpendJournal(dir) });
    expect(next.depth()).toBe(31);
    await next.flush(2_000);
    expect(stored.sort()).toEqual([...Array.from({ length: 30 }, (_, i) => `r${i}`), "held-only"].sort());
    await next.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("empties the live segment once everything in it is stored, and removes full segments once stored", async () => {
    const dir = tempDir();
    const journal = openSpendJournal(dir, { rotateRows: 3 });
    const segments = [1, 2, 3, 4, 5, 6, 7].map((i) => journal.append(row(`r${i}`)));
    expect(readdirSync(dir)).toHaveLength(3);
    for (const s of segments.slice(0, 6)) journal.release(s);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readFileSync(path.join(dir, readdirSync(dir)[0]!), "utf8").trim().split("\n")).toHaveLength(1);
    journal.release(segments[6]!);
    expect(readFileSync(path.join(dir, readdirSync(dir)[0]!), "utf8")).toBe("");
    expect(journal.pending()).toBe(0);
    journal.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("leaves the segments of a live process alone and skips a line torn by the kill", async () => {
    const dir = tempDir();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path.join(dir, "spend-1-0-1.jsonl"), JSON.stringify(row("live")) + "\n"); // pid 1 is alive
    writeFileSync(path.join(dir, "spend-999999999-0-1.jsonl"), JSON.stringify(row("dead")) + "\n{\"requestId\":\"to");
    const journal = openSpendJournal(dir);
    expect(journal.recovered.map((r) => r.row.requestId)).toEqual(["dead"]);
    journal.close();
  });

  it("lives next to an SQLite file, per database otherwise, nowhere for :memory: or when off", () => {
    expect(spendJournalDir(undefined, "sqlite:./data/gateway.sqlite")).toBe(path.join("data", "spend-journal"));
    expect(spendJournalDir(undefined, "sqlite::memory:")).toBeNull();
    expect(spendJournalDir("off", "sqlite:/x/g.sqlite")).toBeNull();
    expect(spendJournalDir("/var/lib/gw", "postgres://u:p@db:5432/a")).toBe("/var/lib/gw");
    const a = spendJournalDir(undefined, "postgres://u:p@db:5432/a")!;
    expect(a).not.toContain("p@");
    expect(a).not.toBe(spendJournalDir(undefined, "postgres://u:p@db:5432/b"));
    expect(a).toBe(spendJournalDir(undefined, "postgres://u:other@db:5432/a"));
  });
});
