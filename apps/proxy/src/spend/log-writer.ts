import { log } from "../log.ts";
import type { SpendLogRow } from "../store/spend-types.ts";
import { errorMessage } from "../error-message.ts";

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
}

export interface SpendLogWriter {
  enqueue(row: SpendLogRow): void;
  /** Writes everything queued; resolves once it is stored or after `timeoutMs` (default 10 s) of failures. */
  flush(timeoutMs?: number): Promise<void>;
  /** Rows waiting to be written. */
  depth(): number;
  /** Rows dropped because the queue was full. */
  dropped(): number;
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Spend rows leave the request path at once and reach the store in batches. A failing store keeps the rows (up
 * to `maxQueue`) and is retried with backoff, so a database restart loses nothing; rows are only ever dropped
 * with an error log that counts them.
 */
export function createSpendLogWriter(options: SpendLogWriterOptions): SpendLogWriter {
  const { insert, intervalMs = 250, batchSize = 200, maxQueue = 100_000, minBackoffMs = 250, maxBackoffMs = 10_000 } = options;
  let queue: SpendLogRow[] = [];
  let dropped = 0;
  let writing: Promise<boolean> | null = null;
  let backoff = 0;
  let retryAt = 0;
  let closed = false;

  const writeOnce = async (): Promise<boolean> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      try {
        await insert(batch);
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
      queue.splice(0, stored);
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

  const timer = setInterval(kick, intervalMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    enqueue(row) {
      queue.push(row);
      if (queue.length > maxQueue) {
        const over = queue.length - maxQueue;
        queue.splice(0, over);
        dropped += over;
        if (dropped === over || dropped % 1000 < over) log.error("spend log queue full: oldest rows dropped", { dropped_total: dropped, max_queue: maxQueue });
      }
      if (queue.length >= batchSize) kick();
    },
    async flush(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length > 0 && Date.now() < deadline) {
        if (!(await write())) await new Promise((r) => setTimeout(r, Math.min(backoff, Math.max(0, deadline - Date.now()))));
      }
      if (queue.length > 0) log.error("spend log flush gave up: rows not stored", { rows: queue.length });
    },
    depth: () => queue.length,
    dropped: () => dropped,
    async close(timeoutMs) {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await this.flush(timeoutMs);
    },
  };
}
