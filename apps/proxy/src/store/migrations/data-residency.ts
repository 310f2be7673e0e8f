import type { Migration } from "./index.ts";

/** allowed_regions on keys and teams (policy/region-policy.ts) and every failover attempt on the spend row. */
export const dataResidency: Migration = {
  version: 6,
  name: "data residency (allowed_regions on keys and teams) and failover attempts on spend logs",
  sqlite: `
    ALTER TABLE keys ADD COLUMN allowed_regions TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE budget_entities ADD COLUMN allowed_regions TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE spend_logs ADD COLUMN attempts TEXT;
  `,
  postgres: `
    ALTER TABLE keys ADD COLUMN allowed_regions JSONB NOT NULL DEFAULT '[]';
    ALTER TABLE budget_entities ADD COLUMN allowed_regions JSONB NOT NULL DEFAULT '[]';
    ALTER TABLE spend_logs ADD COLUMN attempts TEXT;
  `,
};
