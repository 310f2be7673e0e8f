/**
 * Costs are sums of per-token prices in binary floating point, so a total drifts off the decimal value
 * (0.000050700000000000006 for 0.0000507). Every figure the API shows is rounded to 1e-10 USD: finer than any
 * per-token price, so no real digit is lost, and the noise is gone.
 */
const STEP = 1e10;

export function displayCost(usd: number): number;
export function displayCost(usd: number | null): number | null;
export function displayCost(usd: number | null): number | null {
  return usd === null ? null : Math.round(usd * STEP) / STEP;
}
