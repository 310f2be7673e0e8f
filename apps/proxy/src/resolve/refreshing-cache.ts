import { errorMessage } from "../error-message.ts";
import { log } from "../log.ts";

export interface RefreshingCacheOptions {
  /** How long an answer is served before it is fetched again (the stale answer is served meanwhile). */
  ttlMs: number;
  /** How long a failure is remembered before the next attempt. */
  failureTtlMs: number;
  /** At most this many keys; the least recently used is dropped beyond it. */
  maxEntries: number;
  /** What the values are, for the log line of a failure. */
  what: string;
  now?: () => number;
}

interface Entry<T> {
  value: T | null;
  error: string | null;
  expiresAt: number;
  pending: Promise<T | null> | null;
}

/**
 * A bounded cache of slowly changing remote facts (which model a profile or agent runs): a hit answers at once, an
 * expired entry is served while one refresh runs, concurrent misses share one fetch, and a failure is logged once per
 * key (until that key succeeds again) and remembered for `failureTtlMs` so a broken lookup is not retried per call.
 */
export function refreshingCache<T>(fetchValue: (key: string) => Promise<T>, options: RefreshingCacheOptions) {
  const entries = new Map<string, Entry<T>>();
  const failingLogged = new Set<string>();
  const now = options.now ?? Date.now;

  const refresh = (key: string, entry: Entry<T>): Promise<T | null> => {
    entry.pending ??= fetchValue(key).then(
      (value) => {
        entry.value = value;
        entry.error = null;
        entry.expiresAt = now() + options.ttlMs;
        failingLogged.delete(key);
        return value;
      },
      (error: unknown) => {
        entry.error = errorMessage(error);
        entry.expiresAt = now() + options.failureTtlMs;
        if (!failingLogged.has(key)) {
          if (failingLogged.size >= options.maxEntries) failingLogged.clear();
          failingLogged.add(key);
          log.warn(`${options.what} lookup failed; calls that need it are logged with spend null until it succeeds`, { key, error: entry.error });
        }
        return entry.value;
      },
    ).finally(() => (entry.pending = null));
    return entry.pending;
  };

  return {
    /** The value (a stale one while refreshing), or null with the last failure when it could never be fetched. */
    async get(key: string): Promise<{ value: T } | { error: string }> {
      let entry = entries.get(key);
      if (entry) {
        entries.delete(key);
        entries.set(key, entry);
      } else {
        if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
        entry = { value: null, error: null, expiresAt: 0, pending: null };
        entries.set(key, entry);
      }
      if (now() >= entry.expiresAt) {
        const refreshing = refresh(key, entry);
        if (entry.value === null) await refreshing;
      }
      return entry.value !== null ? { value: entry.value } : { error: entry.error ?? `${options.what} unknown` };
    },
    size: () => entries.size,
  };
}
