import { createRefreshingCache } from "../cache/refreshing-cache.ts";
import { log } from "../log.ts";
import type { KeyRow, Store } from "../store/types.ts";
import { isWellFormedAccessKeyId } from "./aws-credentials.ts";
import type { KeyInvalidation } from "./invalidation.ts";
import type { SecretBox } from "./secret-box.ts";

/** What SigV4 verification needs about a gateway access key id. */
export interface AccessKeySecret {
  /** The virtual key (token hash) the pair belongs to: its settings are read through the key cache. */
  token: string;
  secretAccessKey: string;
}

export interface AccessKeyCacheOptions {
  store: Store;
  invalidation: KeyInvalidation;
  /** Null when GATEWAY_SECRET_KEY is not set: stored pairs cannot be decrypted, so none verifies. */
  box: SecretBox | null;
  /** Default 5 s, as the key cache. */
  ttlMs?: number;
  /** Default 1 s. */
  negativeTtlMs?: number;
  /** Default 10,000. */
  maxEntries?: number;
  /** A store read slower than this counts as a failure. Default 2 s. */
  lookupTimeoutMs?: number;
  /** As the key cache: a pair read within this long is still served when the store fails. Default 10 min. */
  staleIfErrorMs?: number;
}

export interface AccessKeyCache {
  /** The decrypted secret behind an access key id, or null (unknown, malformed, or undecryptable). */
  get(accessKeyId: string): Promise<AccessKeySecret | null>;
}

/**
 * access key id → decrypted secret, beside the key cache and emptied by the same invalidation channel (which
 * names token hashes, hence the reverse map). Only the secret is cached here: the key's state (blocked, expiry,
 * limits) is always read through the key cache by token, so the two can never disagree for longer than it does.
 */
export function createAccessKeyCache(options: AccessKeyCacheOptions): AccessKeyCache {
  const { store, box } = options;
  const idOfToken = new Map<string, string>();
  // The pair's key state is still read through the key cache, which has the same stale-if-error fallback.
  const cache = createRefreshingCache<AccessKeySecret>({
    ...options,
    storeName: "key store",
    async read(accessKeyId) {
      const found = await secretOf(accessKeyId, await store.getKeyByAccessKeyId(accessKeyId));
      if (found) idOfToken.set(found.token, accessKeyId);
      return found;
    },
  });

  options.invalidation.subscribe((token) => {
    // "Anything may have changed": re-read everything, keeping what was found as the stale-if-error fallback.
    if (token === null) return cache.expireAll();
    const accessKeyId = idOfToken.get(token);
    if (accessKeyId !== undefined) (cache.delete(accessKeyId), idOfToken.delete(token));
    // A read in flight may return the row as it was before this change: do not keep it.
    cache.dropPending();
  });

  const secretOf = async (accessKeyId: string, row: KeyRow | null): Promise<AccessKeySecret | null> => {
    if (!row?.awsSecretCiphertext) return null;
    if (!box) {
      log.warn("a request was signed with gateway AWS credentials, but GATEWAY_SECRET_KEY is not set: refused", { aws_access_key_id: accessKeyId });
      return null;
    }
    try {
      return { token: row.token, secretAccessKey: await box.open(row.awsSecretCiphertext, accessKeyId) };
    } catch {
      log.warn("cannot decrypt the secret of gateway AWS credentials (was GATEWAY_SECRET_KEY changed?): refused", { aws_access_key_id: accessKeyId });
      return null;
    }
  };

  return {
    get(accessKeyId) {
      if (!isWellFormedAccessKeyId(accessKeyId)) return Promise.resolve(null);
      return cache.get(accessKeyId);
    },
  };
}
