import type { Dialect } from "../sql/database.ts";

/** allowed_regions on keys and teams (policy/region-policy.ts) and every failover attempt on the spend row. */
export const dataResidency = ({ types: t }: Dialect): string => `
  ALTER TABLE keys ADD COLUMN allowed_regions ${t.json} NOT NULL DEFAULT '[]';
  ALTER TABLE budget_entities ADD COLUMN allowed_regions ${t.json} NOT NULL DEFAULT '[]';
  ALTER TABLE spend_logs ADD COLUMN attempts TEXT;
`;
