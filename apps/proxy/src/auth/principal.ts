/** Who is calling. Later steps (allow-lists, budgets, limits, spend) read what they need from here. */
export type Principal =
  | { kind: "open" }
  | { kind: "master" }
  | { kind: "virtual"; keyHash: string; key: VirtualKeyView };

/** The parts of a stored virtual key that per-request checks need. */
export interface VirtualKeyView {
  token: string;
  keyAlias: string | null;
  models: string[];
  allowedRoutes: string[];
  /** Data residency (allowed_regions); empty: any region. */
  allowedRegions: string[];
  userId: string | null;
  teamId: string | null;
  maxBudget: number | null;
  budgetDuration: string | null;
  /** Spend as of the cached read (up to the cache TTL old). */
  spend: number;
  rpmLimit: number | null;
  tpmLimit: number | null;
  /** ISO-8601 or null (never). */
  expires: string | null;
  metadata: Record<string, unknown>;
}
