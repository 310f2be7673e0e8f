import { refuse, type Refusal } from "./refusal.ts";

/** How long a request body may take, and how slowly it may arrive. */
export interface PaceLimits {
  /** BODY_READ_TIMEOUT_MS: the whole body, however fast it arrives. */
  timeoutMs: number;
  /** BODY_MIN_BYTES_PER_SEC: the least a body must bring per second, averaged over each window; 0 turns it off. */
  minBytesPerSec: number;
  /** BODY_MIN_RATE_WINDOW_MS: windows counted from the first read; the first one is the grace period. */
  rateWindowMs: number;
}

/** The most a body may declare and still be read whole rather than chunk by chunk: a small buffer, whatever it claims. */
const WHOLE_READ_MAX_BYTES = 64 * 1024;

/**
 * For a body that declares `size` bytes, how long a whole read (no view of its progress) may take, with the refusal
 * when it takes longer; null when the body must be read chunk by chunk for its pace to be judged. A body no larger
 * than one window's quota fails the floor exactly when it is not complete at the end of the first window (had it
 * brought its quota, it would be complete), so for it a deadline is the same rule; larger bodies need the count.
 */
export function wholeReadDeadline(limits: PaceLimits, size: number): { afterMs: number; refusal: Refusal } | null {
  const { timeoutMs, minBytesPerSec, rateWindowMs } = limits;
  if (!(size <= WHOLE_READ_MAX_BYTES)) return null;
  // The floor off, or its first window no shorter than the whole timeout: only the timeout can cut.
  if (minBytesPerSec === 0 || rateWindowMs >= timeoutMs) return { afterMs: timeoutMs, refusal: totalTimeout(timeoutMs) };
  if (size > (minBytesPerSec * rateWindowMs) / 1000) return null;
  return {
    afterMs: rateWindowMs,
    refusal: refuse.requestTimeout(
      `The request body of ${size} bytes did not arrive within ${rateWindowMs} ms, below the gateway's minimum of ${minBytesPerSec} bytes/s (BODY_MIN_BYTES_PER_SEC).`,
    ),
  };
}

const totalTimeout = (timeoutMs: number) => refuse.requestTimeout(`The request body did not arrive within ${timeoutMs} ms (BODY_READ_TIMEOUT_MS).`);

/**
 * Watches one body while it is read and calls `onStall` once with a 408 when it runs past its deadline, or when a
 * window ends having brought fewer than `minBytesPerSec × window` bytes. A client trickling a byte every few
 * seconds then holds its connection (and on /bedrock an admitted call) for one window, not for the whole timeout;
 * a slow link whose average stays above the floor is never cut by it. One timer, re-armed at each window's end.
 */
export class BodyPace {
  readonly #limits: PaceLimits;
  readonly #onStall: (refusal: Refusal) => void;
  readonly #deadline: number;
  /** Bytes each window must bring; 0 when the floor is off. */
  readonly #quota: number;
  #windowEnd: number;
  #windowBytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(limits: PaceLimits, onStall: (refusal: Refusal) => void, now = Date.now()) {
    this.#limits = limits;
    this.#onStall = onStall;
    this.#deadline = now + limits.timeoutMs;
    this.#quota = (limits.minBytesPerSec * limits.rateWindowMs) / 1000;
    this.#windowEnd = now + limits.rateWindowMs;
    this.#arm(now);
  }

  received(bytes: number): void {
    this.#windowBytes += bytes;
  }

  /** The body ended (or was refused for another reason): no more checks. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(now: number): void {
    const next = this.#quota > 0 && this.#windowEnd < this.#deadline ? this.#windowEnd : this.#deadline;
    this.#timer = setTimeout(() => this.#check(), Math.max(0, next - now));
  }

  #check(): void {
    const now = Date.now();
    const { timeoutMs, minBytesPerSec, rateWindowMs } = this.#limits;
    if (now >= this.#deadline) {
      return this.#onStall(totalTimeout(timeoutMs));
    }
    if (now >= this.#windowEnd) {
      if (this.#windowBytes < this.#quota) {
        const rate = Math.floor((this.#windowBytes * 1000) / rateWindowMs);
        return this.#onStall(
          refuse.requestTimeout(
            `The request body arrived at ${rate} bytes/s over ${rateWindowMs} ms, below the gateway's minimum of ${minBytesPerSec} bytes/s (BODY_MIN_BYTES_PER_SEC).`,
          ),
        );
      }
      this.#windowBytes = 0;
      this.#windowEnd += rateWindowMs;
    }
    this.#arm(now);
  }
}
