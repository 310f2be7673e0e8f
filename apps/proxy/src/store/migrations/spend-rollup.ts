import type { Dialect } from "../sql/database.ts";

/**
 * The admin page's spend figures come from a rollup kept by the database itself: one row per grain (`h` hour,
 * `d` day, UTC), dimension (key, user, team, end user, model), bucket and group. A month of charts then reads
 * thousands of rollup rows instead of scanning a million spend rows (measured: 4 s → see bench/README.md).
 * It is kept exact by the insert of each batch: a spend row skipped as a duplicate (retried batch) adds nothing. `grp` is '' for
 * calls without a value (PRIMARY KEY columns cannot be NULL).
 */
const dims: Array<[dim: string, column: string]> = [
  ["key", "api_key"],
  ["user", "user_id"],
  ["team", "team_id"],
  ["end_user", "end_user"],
  ["model", "model"],
];

const table = (real: string) => `
  CREATE TABLE spend_rollup (
    grain TEXT NOT NULL,
    dim TEXT NOT NULL,
    bucket TEXT NOT NULL,
    grp TEXT NOT NULL,
    label TEXT,
    spend ${real} NOT NULL DEFAULT 0,
    requests BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    unpriced BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, dim, bucket, grp)
  );`;

const addExcluded = `spend = spend_rollup.spend + excluded.spend, requests = spend_rollup.requests + excluded.requests,
  errors = spend_rollup.errors + excluded.errors, input_tokens = spend_rollup.input_tokens + excluded.input_tokens,
  output_tokens = spend_rollup.output_tokens + excluded.output_tokens, unpriced = spend_rollup.unpriced + excluded.unpriced,
  label = COALESCE(excluded.label, spend_rollup.label)`;

const columns = "grain, dim, bucket, grp, label, spend, requests, errors, input_tokens, output_tokens, unpriced";

/** SQLite: start_time is ISO text, so a bucket is its prefix. */
const sqliteBucket = { h: (t: string) => `substr(${t}, 1, 13)`, d: (t: string) => `substr(${t}, 1, 10)` };
const postgresBucket = {
  h: (t: string) => `to_char(${t} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')`,
  d: (t: string) => `to_char(${t} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
};

/** Sums every stored spend row into the rollup (the migration's backfill; also after a bulk load, as in bench/). */
export const sqliteRollupBackfill = (["h", "d"] as const)
  .flatMap((g) =>
    dims.map(([dim, col]) => `INSERT INTO spend_rollup (${columns})
      SELECT '${g}', '${dim}', ${sqliteBucket[g]("start_time")}, COALESCE(${col}, ''), ${dim === "key" ? "MAX(key_alias)" : "NULL"},
        COALESCE(SUM(spend), 0), COUNT(*), SUM(status >= 400), SUM(input_tokens), SUM(output_tokens), SUM(spend IS NULL)
      FROM spend_logs GROUP BY 3, 4;`),
  )
  .join("\n");

/**
 * SQLite: no trigger (only row-level ones exist there; one cost 13 µs CPU per spend row): the batch inserter adds
 * each batch, summed, in the same transaction (aggregates/rollup-batch.ts).
 */
function keptByInserter(real: string): string {
  return `${table(real)}
    ${sqliteRollupBackfill}`;
}

/** PostgreSQL: one statement-level trigger per insert batch, aggregating the batch before it touches the rollup. */
function keptByTrigger(real: string): string {
  const rollupOf = (source: string) => `
    INSERT INTO spend_rollup (${columns})
    SELECT g.grain, d.dim,
      CASE g.grain WHEN 'h' THEN ${postgresBucket.h("s.start_time")} ELSE ${postgresBucket.d("s.start_time")} END,
      COALESCE(CASE d.dim ${dims.map(([dim, col]) => `WHEN '${dim}' THEN s.${col}`).join(" ")} END, ''),
      MAX(CASE WHEN d.dim = 'key' THEN s.key_alias END),
      COALESCE(SUM(s.spend), 0), COUNT(*), COUNT(*) FILTER (WHERE s.status >= 400), COALESCE(SUM(s.input_tokens), 0),
      COALESCE(SUM(s.output_tokens), 0), COUNT(*) FILTER (WHERE s.spend IS NULL)
    FROM ${source} s CROSS JOIN (VALUES ('h'), ('d')) AS g(grain) CROSS JOIN (VALUES ${dims.map(([dim]) => `('${dim}')`).join(", ")}) AS d(dim)
    GROUP BY 1, 2, 3, 4
    -- Rows locked in one order by every batch, so concurrent instances cannot deadlock on the rollup.
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (grain, dim, bucket, grp) DO UPDATE SET ${addExcluded}`;
  return `${table(real)}
    ${rollupOf("spend_logs")};
    CREATE FUNCTION spend_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${rollupOf("new_rows")};
      RETURN NULL;
    END $$;
    CREATE TRIGGER spend_rollup_add AFTER INSERT ON spend_logs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION spend_rollup_add();`;
}

export const spendRollup = (d: Dialect): string => (d.rollupByTrigger ? keptByTrigger(d.types.real) : keptByInserter(d.types.real));
