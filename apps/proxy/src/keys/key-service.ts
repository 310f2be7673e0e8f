import type { KeyListQuery, KeyPatch, KeyRow, KeySettings, Store } from "../store/types.ts";
import type { KeyInvalidation } from "./invalidation.ts";
import { generateSecret, hashSecret, maskSecret } from "./secret.ts";

const defaults: KeySettings = {
  keyAlias: null,
  models: [],
  allowedRoutes: [],
  maxBudget: null,
  budgetDuration: null,
  budgetResetAt: null,
  rpmLimit: null,
  tpmLimit: null,
  expires: null,
  userId: null,
  teamId: null,
  metadata: {},
  blocked: false,
};

export interface IssuedKey {
  /** The secret `sk-...`: returned once, never stored. */
  secret: string;
  row: KeyRow;
}

/** Key lifecycle over the store; every change is announced so cached lookups everywhere drop the key. */
export function createKeyService(store: Store, invalidation: KeyInvalidation) {
  const changed = async <T>(tokens: string[], result: T) => {
    await Promise.all(tokens.map((t) => invalidation.publish(t)));
    return result;
  };
  return {
    async issue(settings: KeyPatch): Promise<IssuedKey> {
      const secret = generateSecret();
      const row = await store.createKey({ ...defaults, ...settings, token: hashSecret(secret), keyName: maskSecret(secret) });
      // A negative lookup of this token may be cached (someone guessed it first): drop it.
      return changed([row.token], { secret, row });
    },
    get: (token: string) => store.getKey(token),
    list: (query: KeyListQuery) => store.listKeys(query),
    async update(token: string, patch: KeyPatch): Promise<KeyRow | null> {
      const row = await store.updateKey(token, patch);
      return row ? changed([token], row) : null;
    },
    async regenerate(token: string, patch: KeyPatch): Promise<IssuedKey | null> {
      const secret = generateSecret();
      const row = await store.rotateKey(token, { token: hashSecret(secret), keyName: maskSecret(secret) }, patch);
      return row ? changed([token, row.token], { secret, row }) : null;
    },
    async remove(tokens: string[]) {
      const result = await store.deleteKeys(tokens);
      return result.ok ? changed(result.deleted, result) : result;
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
