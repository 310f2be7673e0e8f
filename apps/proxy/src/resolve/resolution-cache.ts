import { setBounded } from "../cache/bounded-map.ts";
import { errorMessage } from "../error-message.ts";
import { ControlPlaneError } from "./control-plane.ts";

export type Resolution = { model: string } | { error: string };
/** A cached control-plane fact, or why there is none; `unavailable` when the control plane could not answer (an outage, a throttle), as opposed to a refusal. */
export type Settled<V> = { value: V } | { error: string; unavailable: boolean };

export interface ResolutionCacheOptions<V> {
  /** Asks the control plane; throws a ControlPlaneError (status, type) or another Error for an answer that does not say. */
  read(key: string): Promise<V>;
  /** A model is trusted this long, then asked again. */
  ttlMs: number;
  /** A refusal (404, 403, 400...: no such profile, no permission) or an answer naming no model is kept this long. */
  refusalTtlMs: number;
  /** An outage (5xx, network, no answer in time) is kept this long: meanwhile calls get the last known model, or the error, without asking. */
  failureTtlMs: number;
  /** A throttled read (429) is asked again after this long; meanwhile the last known model, or the error. */
  throttleRetryMs: number;
  /** Keys kept at most; the oldest go first. */
  maxEntries: number;
  /** How long a caller waits for a read; past it the read counts as an outage for the callers after (it goes on, and is kept if it answers). */
  answerWithinMs: number;
  /** A key's first failure since its last success (logged once by the caller). */
  onFirstFailure?(key: string, reason: string): void;
  now?: () => number;
}

export interface ResolutionCache<V> {
  /** The value for `key`; never throws, answers within `answerWithinMs`. */
  get(key: string): Promise<Settled<V>>;
}

interface Entry<V> {
  /** The last value the control plane gave, and when. */
  known?: { value: V; readAt: number };
  /** Why the last read failed, and until when that is repeated without asking. */
  failed?: { reason: string; until: number; refusal: boolean };
  reading?: Promise<void>;
  /** The failure has been reported since the last success. */
  reported?: boolean;
}

/**
 * Control-plane answers, cached per key: a model for `ttlMs`; a refusal for `refusalTtlMs`; an outage (or a 429) for
 * a few seconds, during which the last known model is served (stale-if-error) and nobody waits; at most one read in
 * flight per key. Bounded to `maxEntries` keys.
 */
export function resolutionCache<V>(options: ResolutionCacheOptions<V>): ResolutionCache<V> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<V>>();

  const fail = (key: string, entry: Entry<V>, error: unknown) => {
    const reason = errorMessage(error);
    const status = error instanceof ControlPlaneError ? error.status : null;
    // 429 and 408 are "later", not "no"; 5xx and network failures are outages; other answers are definite.
    const refusal = !(error instanceof ControlPlaneError) || (status !== null && status < 500 && status !== 429 && status !== 408);
    const hold = refusal ? options.refusalTtlMs : status === 429 ? options.throttleRetryMs : options.failureTtlMs;
    entry.failed = { reason, until: now() + hold, refusal };
    if (!entry.reported) {
      entry.reported = true;
      options.onFirstFailure?.(key, reason);
    }
  };

  const refresh = (key: string, entry: Entry<V>): Promise<void> =>
    (entry.reading ??= options
      .read(key)
      .then(
        (value) => {
          entry.known = { value, readAt: now() };
          entry.failed = undefined;
          entry.reported = false;
        },
        (error: unknown) => fail(key, entry, error),
      )
      .finally(() => {
        entry.reading = undefined;
      }));

  const answer = (entry: Entry<V>): Settled<V> => {
    const known = entry.known;
    // A refusal is news: the profile is gone or no longer readable. An outage is not: the last value stands.
    if (entry.failed && (entry.failed.refusal || !known)) return { error: entry.failed.reason, unavailable: !entry.failed.refusal };
    return known ? { value: known.value } : { error: "no answer from the control plane", unavailable: true };
  };

  return {
    async get(key) {
      let entry = entries.get(key);
      const at = now();
      if (entry?.known && !entry.failed && at - entry.known.readAt < options.ttlMs) return { value: entry.known.value };
      if (entry?.failed && at < entry.failed.until) return answer(entry);
      if (!entry) {
        entry = {};
        setBounded(entries, key, entry, options.maxEntries);
      }
      const current = entry;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), options.answerWithinMs);
      });
      const outcome = await Promise.race([refresh(key, current), late]);
      clearTimeout(timer);
      if (outcome === "late" && current.reading) {
        fail(key, current, new ControlPlaneError(`no answer from the control plane within ${options.answerWithinMs} ms`, null, null));
      }
      return answer(current);
    },
  };
}
