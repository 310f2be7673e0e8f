import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { errorMessage } from "../error-message.ts";
import { log } from "../log.ts";
import type { SpendLogRow } from "../store/spend-types.ts";

/**
 * A write-ahead journal of spend rows not yet stored, so a process killed outright (kill -9, OOM) loses none: each
 * row is appended (one `write`, in the OS page cache at once) before it is queued, and a segment file is deleted,
 * or emptied, once every row in it is stored. The next start replays what is left; the store ignores a row it
 * already has (request ids are unique), so a row stored just before the kill is not counted twice.
 * It survives the process, not the machine: there is no fsync per row (that would cost a disk flush per call).
 */
export interface SpendJournal {
  /** Rows a previous process left (unstored, or stored and not yet released), with the segment each is in. */
  recovered: { row: SpendLogRow; segment: number }[];
  /** Journals a row; the returned segment is released when the row is stored (or given up). */
  append(row: SpendLogRow): number;
  release(segment: number): void;
  /** Rows journaled and not yet released. */
  pending(): number;
  close(): void;
}

interface Segment {
  file: string;
  fd: number | null;
  rows: number;
  unreleased: number;
}

export function openSpendJournal(dir: string, options: { rotateRows?: number } = {}): SpendJournal {
  const rotateRows = options.rotateRows ?? 10_000;
  mkdirSync(dir, { recursive: true });
  const segments = new Map<number, Segment>();
  let nextId = 1;
  let unreleased = 0;

  const recovered: SpendJournal["recovered"] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".jsonl")).sort()) {
    if (!ownedByTheDead(name)) continue;
    const file = path.join(dir, name);
    const id = nextId++;
    let rows = 0;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line) continue;
      try {
        recovered.push({ row: JSON.parse(line) as SpendLogRow, segment: id });
        rows++;
      } catch {
        // A line torn by the kill itself: its call never finished being recorded.
      }
    }
    if (rows === 0) {
      unlinkSync(file);
      continue;
    }
    segments.set(id, { file, fd: null, rows, unreleased: rows });
    unreleased += rows;
  }
  if (recovered.length) log.warn("spend journal: rows left by a previous process are queued again", { rows: recovered.length, dir });

  let current = 0;
  const openCurrent = () => {
    current = nextId++;
    const file = path.join(dir, `spend-${process.pid}-${Date.now()}-${current}.jsonl`);
    segments.set(current, { file, fd: openSync(file, "a"), rows: 0, unreleased: 0 });
  };
  openCurrent();

  const retire = (id: number, segment: Segment) => {
    try {
      if (segment.fd !== null) closeSync(segment.fd);
      unlinkSync(segment.file);
    } catch (error) {
      log.warn("spend journal: a stored segment could not be removed", { file: segment.file, error: errorMessage(error) });
    }
    segments.delete(id);
  };

  return {
    recovered,
    append(row) {
      let segment = segments.get(current)!;
      if (segment.rows >= rotateRows) {
        if (segment.unreleased === 0) retire(current, segment);
        else {
          closeSync(segment.fd!);
          segment.fd = null;
        }
        openCurrent();
        segment = segments.get(current)!;
      }
      writeSync(segment.fd!, JSON.stringify(row) + "\n");
      segment.rows++;
      segment.unreleased++;
      unreleased++;
      return current;
    },
    release(id) {
      const segment = segments.get(id);
      if (!segment) return;
      segment.unreleased--;
      unreleased--;
      if (segment.unreleased > 0) return;
      if (id !== current) retire(id, segment);
      else {
        // Everything in the live segment is stored: empty it rather than let it grow.
        ftruncateSync(segment.fd!, 0);
        segment.rows = 0;
      }
    },
    pending: () => unreleased,
    close() {
      for (const [id, segment] of segments) {
        if (segment.unreleased === 0) retire(id, segment);
        else if (segment.fd !== null) closeSync(segment.fd);
      }
    },
  };
}

/** `spend-<pid>-...`: a segment whose process is gone (or is this one: a restart that got the same pid, as in containers). */
function ownedByTheDead(name: string): boolean {
  const pid = Number(/^spend-(\d+)-/.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ESRCH";
  }
}

/**
 * Where the journal lives: SPEND_JOURNAL_DIR (`off` disables it); by default next to an SQLite file, else under
 * ./data/spend-journal/ in a folder per database, so gateways of different databases on one host never replay each
 * other's rows. An in-memory database has nothing to journal for.
 */
export function spendJournalDir(setting: string | undefined, databaseUrl: string): string | null {
  const value = setting?.trim();
  if (value === "off") return null;
  if (value) return value;
  if (databaseUrl.startsWith("sqlite:")) {
    const file = databaseUrl.slice("sqlite:".length);
    return file === ":memory:" || file === "" ? null : path.join(path.dirname(file), "spend-journal");
  }
  const url = new URL(databaseUrl);
  url.password = "";
  let hash = 0x811c9dc5;
  for (const ch of url.toString()) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return path.join("data", "spend-journal", `${url.hostname}-${url.port || "5432"}-${hash.toString(16)}`);
}
