/**
 * Request ids are time-ordered UUIDs (RFC 9562 version 7: 48-bit Unix milliseconds, then random bits). They key
 * every spend row, and a random (v4) key lands each insert on a random page of the primary-key index: with a
 * grown table that is one page read and one WAL page written per row (see bench/tools/spend-insert-cost.ts).
 * Time-ordered keys append, like the table's other indexes, which all lead with time or a few repeated values.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
// Random bytes drawn in bulk: one getRandomValues call per 4 KiB instead of one per id.
const pool = new Uint8Array(4096);
let used = pool.length;

export function requestId(now = Date.now()): string {
  if (used + 10 > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const r = used;
  used += 10;
  const high = Math.floor(now / 2 ** 32);
  const low = now >>> 0;
  const h = (byte: number) => HEX[byte & 0xff]!;
  return (
    h(high >>> 8) + h(high) + h(low >>> 24) + h(low >>> 16) + "-" + h(low >>> 8) + h(low) + "-" +
    h(0x70 | (pool[r]! & 0x0f)) + h(pool[r + 1]!) + "-" + h(0x80 | (pool[r + 2]! & 0x3f)) + h(pool[r + 3]!) + "-" +
    h(pool[r + 4]!) + h(pool[r + 5]!) + h(pool[r + 6]!) + h(pool[r + 7]!) + h(pool[r + 8]!) + h(pool[r + 9]!)
  );
}
