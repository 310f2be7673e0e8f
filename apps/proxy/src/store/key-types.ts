/** Virtual keys as stored: the row, what an admin may change, and the key half of the Store. */
export interface KeyStore {
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
  /** Data residency: regions the key's calls may be served from; empty: any. */
  allowedRegions: string[];
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
export const KEY_SETTINGS = [
  "keyAlias",
  "models",
  "allowedRoutes",
  "allowedRegions",
  "maxBudget",
  "budgetDuration",
  "budgetResetAt",
  "rpmLimit",
  "tpmLimit",
  "expires",
  "userId",
  "teamId",
  "metadata",
  "blocked",
] as const satisfies readonly (keyof KeyRow)[];

export type KeySettings = Pick<KeyRow, (typeof KEY_SETTINGS)[number]>;

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
