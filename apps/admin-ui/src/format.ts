/** How numbers and times read on the page. */
/** USD with two significant digits below a cent (calls often cost fractions of a cent), never in e-notation. */
export const usd = (n: number | null | undefined): string => {
  if (n === null || n === undefined) return "—";
  if (n === 0) return "$0";
  const abs = Math.abs(n);
  return `${n < 0 ? "-" : ""}$${abs < 0.01 ? abs.toFixed(Math.min(12, 1 - Math.floor(Math.log10(abs)))) : abs.toFixed(2)}`;
};

export const count = (n: number | null | undefined): string => (n === null || n === undefined ? "—" : n.toLocaleString("en-US"));

export const when = (iso: string | null | undefined): string => (iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—");

export const ms = (n: number | null | undefined): string => (n === null || n === undefined ? "—" : `${Math.round(n)} ms`);

/** `YYYY-MM-DD` of a Date, UTC. */
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
