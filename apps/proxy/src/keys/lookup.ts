import type { AuthResult } from "../auth/authenticator.ts";
import type { VirtualKeyView } from "../auth/principal.ts";
import { refuse, type Refusal } from "../pipeline/refusal.ts";
import type { KeyRow } from "../store/types.ts";
import type { KeyCache } from "./key-cache.ts";

/** Why a stored key may not be used right now (403 blocked, 401 expired); null when it may. */
export function keyRefusal(row: KeyRow, now = Date.now()): (Refusal & { status: 401 | 403 }) | null {
  if (row.blocked) return { ...refuse.accessDenied("The gateway key is blocked."), status: 403 };
  if (row.expires !== null && Date.parse(row.expires) < now) {
    return { status: 401, type: "ExpiredTokenException", message: `The gateway key expired at ${row.expires}.` };
  }
  return null;
}

/**
 * A virtual key by token (its secret's SHA-256, hex) → cache → store: the one path for bearer keys and gateway
 * SigV4 credentials alike. Unknown keys return null (the authenticator answers 401); blocked keys 403; expired
 * keys 401 ExpiredTokenException.
 */
export function createTokenLookup(cache: KeyCache) {
  return async (keyHash: string): Promise<AuthResult | null> => {
    const row = await cache.get(keyHash);
    if (!row) return null;
    return keyRefusal(row) ?? { kind: "virtual", keyHash, key: keyView(row) };
  };
}

export function keyView(row: KeyRow): VirtualKeyView {
  return {
    token: row.token,
    keyAlias: row.keyAlias,
    models: row.models,
    allowedRoutes: row.allowedRoutes,
    userId: row.userId,
    teamId: row.teamId,
    maxBudget: row.maxBudget,
    budgetDuration: row.budgetDuration,
    spend: row.spend,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    expires: row.expires,
    metadata: row.metadata,
  };
}
