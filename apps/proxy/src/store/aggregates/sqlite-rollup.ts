import type { DatabaseSync } from "node:sqlite";
import type { SpendLogRow } from "../spend-types.ts";
import { rollupOfBatch } from "./rollup-batch.ts";

/** Adds a batch of newly inserted spend rows to the rollup; call it inside the batch's transaction. */
export function sqliteRollupWriter(db: DatabaseSync): (inserted: SpendLogRow[]) => void {
  const upsert = db.prepare(`
    INSERT INTO spend_rollup (grain, dim, bucket, grp, label, spend, requests, errors, input_tokens, output_tokens, unpriced)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (grain, dim, bucket, grp) DO UPDATE SET spend = spend_rollup.spend + excluded.spend,
      requests = spend_rollup.requests + excluded.requests, errors = spend_rollup.errors + excluded.errors,
      input_tokens = spend_rollup.input_tokens + excluded.input_tokens, output_tokens = spend_rollup.output_tokens + excluded.output_tokens,
      unpriced = spend_rollup.unpriced + excluded.unpriced, label = COALESCE(excluded.label, spend_rollup.label)`);
  return (inserted) => {
    for (const d of rollupOfBatch(inserted)) {
      upsert.run(d.grain, d.dim, d.bucket, d.grp, d.label, d.spend, d.requests, d.errors, d.inputTokens, d.outputTokens, d.unpriced);
    }
  };
}
