/** How numbers and times read on the page. */
export const usd = (n: number | null | undefined): string =>
  n === null || n === undefined ? "—" : n === 0 ? "$0" : n < 0.01 ? `$${n.toPrecision(2)}` : `$${n.toFixed(2)}`;

export const count = (n: number | null | undefined): string => (n === null || n === undefined ? "—" : n.toLocaleString("en-US"));

export const when = (iso: string | null | undefined): string => (iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—");

export const ms = (n: number | null | undefined): string => (n === null || n === undefined ? "—" : `${Math.round(n)} ms`);

/** `YYYY-MM-DD` of a Date, UTC. */
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
