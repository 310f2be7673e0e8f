import { createHash, timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * A constant-time matcher for one fixed secret (hashed once, not per request); comparing digests also hides
 * the secret's length.
 */
export function secretMatcher(secret: string): (candidate: string) => boolean {
  const expected = digest(secret);
  return (candidate) => nodeTimingSafeEqual(digest(candidate), expected);
}
