/**
 * Whether an error means the store is unreachable (down, restarting, refusing connections) rather than that a
 * statement or a value was wrong. Clients get a retryable 503 for the first, and neither gets the driver's text,
 * which names the database's address.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN",
  // postgres.js
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  // PostgreSQL: admin/crash shutdown, cannot connect now, too many connections
  "57P01", "57P02", "57P03", "53300",
]);

export function isStoreOutage(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    // SQLSTATE class 08: connection exceptions.
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some(isStoreOutage)) return true;
  }
  return false;
}

/**
 * Whether the store refused the values of a write (out of range, bad text, a constraint), so retrying the same
 * rows can never succeed: PostgreSQL SQLSTATE classes 22 (data exception), 23 (integrity) and 54 (limits), or
 * SQLite's messages for the same (its errors cross the spend thread as text).
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /constraint failed|datatype mismatch|string or blob too big|out of range|invalid byte sequence|invalid input syntax|value too long/i.test(message);
}
