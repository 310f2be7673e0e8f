import { extractKey } from "../auth/extract-key.ts";
import { secretMatcher } from "../auth/timing-safe.ts";
import type { KeyCache } from "../keys/key-cache.ts";
import { keyRefusal } from "../keys/lookup.ts";
import { hashSecret } from "../keys/secret.ts";
import type { KeyRow } from "../store/types.ts";
import { AdminError } from "./errors.ts";

export type AdminCaller = { kind: "master" } | { kind: "virtual"; row: KeyRow };

/**
 * Who calls the admin API: the master key (compared in constant time) or a valid virtual key.
 * Without a master key there is no admin, so every call is refused with a hint.
 */
export function createAdminAuth(masterKey: string | null, cache: KeyCache) {
  const isMaster = masterKey ? secretMatcher(masterKey) : () => false;
  return async (request: Request): Promise<AdminCaller> => {
    if (!masterKey) {
      throw new AdminError(403, "The key API is off because the gateway runs without a master key: set MASTER_KEY and restart it.");
    }
    const key = extractKey(request.headers);
    if (!key) throw new AdminError(401, "No key: send Authorization: Bearer <master key>.");
    if (isMaster(key)) return { kind: "master" };
    const row = await cache.get(hashSecret(key));
    if (!row) throw new AdminError(401, "The key is not valid.");
    const refusal = keyRefusal(row);
    if (refusal) throw new AdminError(refusal.status, refusal.message);
    return { kind: "virtual", row };
  };
}
