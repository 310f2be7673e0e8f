import { log } from "../log.ts";
import type { SpendLogRow } from "../store/spend-types.ts";
import { isDataError } from "../store/failure-kind.ts";
import { withTimeout } from "../with-timeout.ts";
import { errorMessage } from "../error-message.ts";
import type { SpendJournal } from "./journal.ts";
import { quarantinedRow } from "./quarantine.ts";

export interface SpendLogWriterOptions {
  insert: (rows: SpendLogRow[]) => Promise<unknown>;
  /** Flush this often (ms). Default 250. */
  intervalMs?: number;
  /** Flush as soon as this many rows wait; also the most rows per insert. Default 200. */
  batchSize?: number;
  /** Rows kept while the store is failing; beyond it the oldest are dropped, with an error log. Default 100,000. */
  maxQueue?: number;
  /** Retry delay after a failed insert, doubling up to `maxBackoffMs`. Default 250 / 10,000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Write-ahead journal: rows survive the process being killed. */
  journal?: SpendJournal;
  /** An insert that has not answered by then counts as failed and is retried (rows are unique by request id). Default 15 s. */
  insertTimeoutMs?: number;
}

export interface SpendLogWriter {
  /**
   * Journals the row at once (it survives a kill from here on) and returns what queues it for the store: called
   * when the call's budget bookkeeping is done, so the store never holds a row the ledger has not counted yet.
   */
  hold(row: SpendLogRow): () => void;
  enqueue(row: SpendLogRow): void;
  /** Writes everything queued; resolves once it is stored or after `timeoutMs` (default 10 s) of failures. */
  flush(timeoutMs?: number): Promise<void>;
  /** Rows waiting to be written. */
  depth(): number;
  /** Rows dropped because the queue was full. */
  dropped(): number;
  /** Rows the store refused even repaired (logged in full, bodies aside). */
  rejected(): number;
  /** Rows stored in a repaired form (clamped numbers, replaced text), each logged. */
  quarantined(): number;
  /** The last write failed and rows are waiting for a retry. */
  failing(): boolean;
  close(timeoutMs?: number): Promise<void>;
}

interface Queued {
  row: SpendLogRow;
  segment: number | null;
}

/** Thrown out of row-by-row isolation when the store goes away meanwhile: the batch waits for a retry. */
class StoreAway extends Error {}

/**
 * Spend rows leave the request path at once and reach the store in batches. A failing store keeps the rows (up
 * to `maxQueue`) and is retried with backoff, so a database restart loses nothing; rows are only ever dropped
 * with an error log that counts them. A batch the store refuses for its values (one row with 3e9 tokens in an
 * `integer` column) is split until the row that breaks it is found: the others are stored, that row is stored
 * repaired (quarantined, noted in the row and logged) or, if even that fails, logged and given up.
 */
export function createSpendLogWriter(options: SpendLogWriterOptions): SpendLogWriter {
  const { intervalMs = 250, batchSize = 200, maxQueue = 100_000, minBackoffMs = 250, maxBackoffMs = 10_000, journal, insertTimeoutMs = 15_000 } = options;
  // postgres.js 3.4.9 can leave a query pending forever after a database restart (porsager/postgres#1193, #708 on
  // Bun; reproduced here): a write that hangs must not stop every later one.
  const insert = (rows: SpendLogRow[]) => withTimeout(options.insert(rows), insertTimeoutMs);
  let queue: Queued[] = [];
  let dropped = 0;
  let rejected = 0;
  let quarantined = 0;
  let writing: Promise<boolean> | null = null;
  let backoff = 0;
  let retryAt = 0;
  let closed = false;

  const release = (entries: Queued[]) => {
    if (journal) for (const e of entries) if (e.segment !== null) journal.release(e.segment);
  };

  /** Stores `rows` one part at a time; a part refused for its values is split further, down to one row. */
  const isolate = async (rows: Queued[]): Promise<void> => {
    try {
      await insert(rows.map((e) => e.row));
      return;
    } catch (error) {
      if (!isDataError(error)) throw new StoreAway(errorMessage(error));
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        await isolate(rows.slice(0, half));
        await isolate(rows.slice(half));
        return;
      }
      const original = rows[0]!.row;
      const repaired = quarantinedRow(original);
      const fields = { request_id: original.requestId, error: errorMessage(error), row: { ...original, requestBody: undefined, responseBody: undefined } };
      if (repaired.changes.length) {
        try {
          await insert([repaired.row]);
          quarantined++;
          log.warn("spend row refused by the store: stored repaired (quarantined)", { ...fields, changes: repaired.changes });
          return;
        } catch (again) {
          if (!isDataError(again)) throw new StoreAway(errorMessage(again));
        }
      }
      rejected++;
      log.error("spend row refused by the store even repaired: not stored (the full row is in this line)", fields);
    }
  };

  const writeOnce = async (): Promise<boolean> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      try {
        try {
          await insert(batch.map((e) => e.row));
        } catch (error) {
          if (!isDataError(error)) throw error;
          log.warn("a spend batch was refused for its values: storing it row by row to find the row", { rows: batch.length, error: errorMessage(error) });
          await isolate(batch);
        }
      } catch (error) {
        backoff = Math.min(maxBackoffMs, backoff ? backoff * 2 : minBackoffMs);
        retryAt = Date.now() + backoff;
        log.error("spend log write failed; rows kept for retry", { queued: queue.length, retry_in_ms: backoff, error: errorMessage(error) });
        return false;
      }
      // The batch was the queue's head: rows enqueued meanwhile sit after it, rows dropped meanwhile were the oldest
      // (possibly of this batch). Only the head is searched, so a long backlog drains in linear time.
      const written = new Set(batch);
      let stored = 0;
      while (stored < queue.length && written.has(queue[stored]!)) stored++;
      release(queue.splice(0, stored));
      backoff = 0;
    }
    return true;
  };

  /** One write pass at a time; concurrent callers share it. */
  const write = (): Promise<boolean> =>
    (writing ??= writeOnce().finally(() => {
      writing = null;
    }));
  const kick = () => {
    if (!writing && queue.length > 0 && Date.now() >= retryAt) void write();
  };

  const push = (entry: Queued) => {
    queue.push(entry);
    if (queue.length > maxQueue) {
      const over = queue.length - maxQueue;
      release(queue.splice(0, over));
      dropped += over;
      if (dropped === over || dropped % 1000 < over) log.error("spend log queue full: oldest rows dropped", { dropped_total: dropped, max_queue: maxQueue });
    }
    if (queue.length >= batchSize) kick();
  };

  for (const { row, segment } of journal?.recovered ?? []) push({ row, segment });

  const timer = setInterval(kick, intervalMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    hold(row) {
      const segment = journal ? journal.append(row) : null;
      return () => push({ row, segment });
    },
    enqueue(row) {
      this.hold(row)();
    },
    async flush(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length > 0 && Date.now() < deadline) {
        if (!(await write())) await new Promise((r) => setTimeout(r, Math.min(backoff, Math.max(0, deadline - Date.now()))));
      }
      if (queue.length > 0) log.error("spend log flush gave up: rows not stored", { rows: queue.length, journaled: journal !== undefined });
    },
    depth: () => queue.length,
    dropped: () => dropped,
    rejected: () => rejected,
    quarantined: () => quarantined,
    failing: () => backoff > 0 && queue.length > 0,
    async close(timeoutMs) {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await this.flush(timeoutMs);
      journal?.close();
    },
  };
}
