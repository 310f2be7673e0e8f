import { createHash, timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";

/** Constant-time string equality; hashing first hides the length of the secret too. */
export function timingSafeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return nodeTimingSafeEqual(ha, hb);
}
