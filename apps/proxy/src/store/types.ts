import type { AggregateStore } from "./aggregates/types.ts";
import type { SpendStore } from "./spend-types.ts";
import type { UiSessionStore } from "./ui-sessions/types.ts";

/**
 * Storage for virtual keys, spend logs and budget entities. Two drivers implement it: SQLite (embedded default)
 * and PostgreSQL. Every method is async so callers never care which one runs.
 */
export interface Store extends SpendStore, AggregateStore, UiSessionStore {
  readonly driver: "sqlite" | "postgres";
  /** Inserts a key; throws StoreConflictError when the token, alias or AWS access key id is taken. */
  createKey(row: NewKeyRow): Promise<KeyRow>;
  getKey(token: string): Promise<KeyRow | null>;
  /** The key holding these gateway-issued AWS credentials, or null. */
  getKeyByAccessKeyId(accessKeyId: string): Promise<KeyRow | null>;
  /** Applies the fields present in `patch`; null when no such key. Throws StoreConflictError on a taken alias. */
  updateKey(token: string, patch: KeyPatch): Promise<KeyRow | null>;
  /**
   * Replaces the key's secret (token and masked name) and applies `patch` in one statement. The AWS-style pair is
   * replaced too when `next` names it (null removes it), and kept otherwise.
   */
  rotateKey(token: string, next: KeyRotation, patch: KeyPatch): Promise<KeyRow | null>;
  /** All or nothing: when any token is unknown nothing is deleted and the unknown ones are returned. */
  deleteKeys(tokens: string[]): Promise<DeleteKeysResult>;
  listKeys(query: KeyListQuery): Promise<{ rows: KeyRow[]; total: number }>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A stored virtual key. Timestamps are ISO-8601 strings (UTC). */
export interface KeyRow {
  /** sha256 hex of the secret `sk-...`; the key's id. */
  token: string;
  /** Masked secret, e.g. `sk-...AbCd`. */
  keyName: string;
  keyAlias: string | null;
  models: string[];
  allowedRoutes: string[];
  maxBudget: number | null;
  budgetDuration: string | null;
  budgetResetAt: string | null;
  spend: number;
  rpmLimit: number | null;
  tpmLimit: number | null;
  expires: string | null;
  userId: string | null;
  teamId: string | null;
  metadata: Record<string, unknown>;
  blocked: boolean;
  createdAt: string;
  updatedAt: string;
  awsAccessKeyId: string | null;
  awsSecretCiphertext: string | null;
}

/** The settings an admin can change. */
export type KeySettings = Pick<
  KeyRow,
  | "keyAlias"
  | "models"
  | "allowedRoutes"
  | "maxBudget"
  | "budgetDuration"
  | "budgetResetAt"
  | "rpmLimit"
  | "tpmLimit"
  | "expires"
  | "userId"
  | "teamId"
  | "metadata"
  | "blocked"
>;

export type KeyPatch = Partial<KeySettings>;

export type NewKeyRow = Pick<KeyRow, "token" | "keyName"> &
  KeySettings &
  Partial<Pick<KeyRow, "awsAccessKeyId" | "awsSecretCiphertext">>;

export type KeyRotation = Pick<KeyRow, "token" | "keyName"> & Partial<Pick<KeyRow, "awsAccessKeyId" | "awsSecretCiphertext">>;

export type DeleteKeysResult = { ok: true; deleted: string[] } | { ok: false; missing: string[] };

export interface KeyListQuery {
  userId?: string;
  teamId?: string;
  keyAlias?: string;
  offset: number;
  limit: number;
}

/** A unique constraint was violated; `field` names the API field (`key_alias`, `token`, ...). */
export class StoreConflictError extends Error {
  constructor(readonly field: string) {
    super(`${field} is already in use`);
  }
}

/** KeyPatch field → column, in one place for both drivers. */
export const settingColumns: Record<keyof KeySettings, string> = {
  keyAlias: "key_alias",
  models: "models",
  allowedRoutes: "allowed_routes",
  maxBudget: "max_budget",
  budgetDuration: "budget_duration",
  budgetResetAt: "budget_reset_at",
  rpmLimit: "rpm_limit",
  tpmLimit: "tpm_limit",
  expires: "expires",
  userId: "user_id",
  teamId: "team_id",
  metadata: "metadata",
  blocked: "blocked",
};

export const jsonColumns = new Set(["models", "allowed_routes", "metadata"]);

/** Which API field a unique-constraint message is about. */
export function conflictField(message: string): string {
  if (message.includes("key_alias")) return "key_alias";
  if (message.includes("aws_access_key_id")) return "aws_access_key_id";
  return "token";
}
