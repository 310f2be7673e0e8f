import { log } from "../log.ts";
import type { KeyRow, Store } from "../store/types.ts";
import { isWellFormedAccessKeyId } from "./aws-credentials.ts";
import type { KeyInvalidation } from "./invalidation.ts";
import { StoreUnavailableError } from "./key-cache.ts";
import type { SecretBox } from "./secret-box.ts";
import { errorMessage } from "../error-message.ts";

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

interface Entry {
  value: Promise<AccessKeySecret | null>;
  expiresAt: number;
  /** The last pair found, kept for stale-if-error. */
  last?: { found: AccessKeySecret; readAt: number };
}

/**
 * access key id → decrypted secret, beside the key cache and emptied by the same invalidation channel (which
 * names token hashes, hence the reverse map). Only the secret is cached here: the key's state (blocked, expiry,
 * limits) is always read through the key cache by token, so the two can never disagree for longer than it does.
 */
export function createAccessKeyCache(options: AccessKeyCacheOptions): AccessKeyCache {
  const { store, box, ttlMs = 5_000, negativeTtlMs = 1_000, maxEntries = 10_000, lookupTimeoutMs = 2_000, staleIfErrorMs = 600_000 } = options;
  const entries = new Map<string, Entry>();
  const idOfToken = new Map<string, string>();

  options.invalidation.subscribe((token) => {
    if (token === null) {
      // "Anything may have changed": re-read everything, keeping what was found as the stale-if-error fallback.
      for (const [id, entry] of entries) entry.expiresAt === Infinity || !entry.last ? entries.delete(id) : (entry.expiresAt = 0);
      return;
    }
    const accessKeyId = idOfToken.get(token);
    if (accessKeyId !== undefined) (entries.delete(accessKeyId), idOfToken.delete(token));
    // A read in flight may return the row as it was before this change: do not keep it.
    for (const [id, entry] of entries) if (entry.expiresAt === Infinity) entries.delete(id);
  });

  const load = async (accessKeyId: string, entry: Entry): Promise<AccessKeySecret | null> => {
    let row;
    try {
      row = await withTimeout(store.getKeyByAccessKeyId(accessKeyId), lookupTimeoutMs);
    } catch (error) {
      // The pair's key state is still read through the key cache, which has the same fallback.
      if (entry.last && Date.now() - entry.last.readAt <= staleIfErrorMs) {
        entry.expiresAt = Date.now() + 1_000;
        return entry.last.found;
      }
      if (entries.get(accessKeyId) === entry) entries.delete(accessKeyId);
      throw new StoreUnavailableError(`The gateway cannot reach its key store (${errorMessage(error)}); try again shortly.`);
    }
    const found = await secretOf(accessKeyId, row);
    if (found) idOfToken.set(found.token, accessKeyId);
    entry.last = found ? { found, readAt: Date.now() } : undefined;
    entry.expiresAt = Date.now() + (found ? ttlMs : negativeTtlMs);
    return found;
  };

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
      const now = Date.now();
      const cached = entries.get(accessKeyId);
      if (cached && cached.expiresAt > now) return cached.value;
      if (!cached && entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      const entry: Entry = { value: undefined!, expiresAt: Infinity, last: cached?.last };
      // Until the read finishes the entry is valid; an invalidation meanwhile removes it, so a stale read is not kept.
      entries.delete(accessKeyId);
      entries.set(accessKeyId, entry);
      entry.value = load(accessKeyId, entry);
      return entry.value;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
