/**
 * Fixed-window counters shared by every limit (requests and tokens, per key, user, team, end user, model).
 *
 * A window is `[floor(now / windowMs) * windowMs, + windowMs)`: "10 per minute" means at most 10 in each
 * clock minute (so up to 20 can land across a minute boundary, as with LiteLLM's per-minute counters).
 * One `hit` is atomic over all its checks: either every counter is incremented or none is.
 */
export interface RateLimiter {
  /** "redis" or "local": which state answered the last call. */
  readonly backend: string;
  hit(checks: LimitCheck[], windowMs: number, now?: number): Promise<HitResult>;
  /**
   * Adds `amount` (may be negative) to a counter of the window starting at `windowStart`, without checking.
   * A negative amount on a counter that no longer exists is ignored.
   */
  add(scope: string, amount: number, windowMs: number, windowStart: number): Promise<void>;
  /** The counter's value in the current window (tests, diagnostics). */
  peek(scope: string, windowMs: number, now?: number): Promise<number>;
}

export interface LimitCheck {
  /** Counter name, e.g. `key:<hash>:rpm`. */
  scope: string;
  limit: number;
  /** Added to the counter when every check passes. */
  amount: number;
  /**
   * "fits" (requests): passes while `count + amount <= limit`.
   * "below" (tokens): passes while `count < limit`; the amount is an estimate, settled later with `add`.
   */
  mode: "fits" | "below";
}

export type HitResult =
  | { ok: true; windowStart: number }
  | { ok: false; check: LimitCheck; retryAfterSeconds: number };

export const windowStartOf = (now: number, windowMs: number) => Math.floor(now / windowMs) * windowMs;

/** Seconds until the window that refused a call ends (at least 1). */
export function retryAfterSeconds(now: number, windowMs: number): number {
  return Math.max(1, Math.ceil((windowStartOf(now, windowMs) + windowMs - now) / 1_000));
}

/** The check that refuses, given each counter's current value; null when all pass. */
export function firstRefusal(checks: LimitCheck[], counts: number[]): LimitCheck | null {
  for (let i = 0; i < checks.length; i++) {
    const { limit, amount, mode } = checks[i];
    if (mode === "fits" ? counts[i] + amount > limit : counts[i] >= limit) return checks[i];
  }
  return null;
}

/** Tokens reserved at admission, per scope, in the window they were counted in. */
export interface TokenReservation {
  windowStart: number;
  tokens: { scope: string; reserved: number }[];
}
