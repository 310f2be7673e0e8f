const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const DURATION_SHAPE = /^(\d+)(s|m|h|d)$/;

/** `30s`, `15m`, `24h`, `30d` → milliseconds; null when malformed. */
export function parseDuration(value: string): number | null {
  const match = DURATION_SHAPE.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  // Beyond ~100 years is a typo, and far beyond it Date cannot represent the result.
  return Number.isSafeInteger(ms) && ms <= 100 * 366 * UNIT_MS.d ? ms : null;
}
