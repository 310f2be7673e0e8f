/**
 * Text the stores cannot keep as sent. PostgreSQL refuses NUL and unpaired UTF-16 surrogates in `text` (a 500
 * deep in a query), SQLite stores a lone surrogate as U+FFFD (silently a different value): both are refused at
 * the edge, the same way on every store.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unstorableText(value: string): string | null {
  if (value.includes("\u0000")) return "a NUL character";
  if (LONE_SURROGATE.test(value)) return "an unpaired UTF-16 surrogate";
  return null;
}

/** The first string (key or value, at any depth) that cannot be stored, described with where it is; null if none. */
export function unstorableJson(value: unknown, where = "body"): string | null {
  if (typeof value === "string") {
    const problem = unstorableText(value);
    return problem && `${where} contains ${problem}`;
  }
  if (typeof value !== "object" || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const inKey = unstorableText(k);
    if (inKey) return `a field name in ${where} contains ${inKey}`;
    const inValue = unstorableJson(v, Array.isArray(value) ? `${where}[${k}]` : where === "body" ? k : `${where}.${k}`);
    if (inValue) return inValue;
  }
  return null;
}

/**
 * The query string's parameters as URLSearchParams will decode them, refused when one is not UTF-8 (which
 * URLSearchParams would turn into U+FFFD) or decodes to unstorable text.
 */
export function unstorableQuery(requestUrl: string): string | null {
  const q = requestUrl.indexOf("?");
  if (q < 0) return null;
  for (const part of requestUrl.slice(q + 1).split("&")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part.replaceAll("+", " "));
    } catch {
      return `the query parameter ${JSON.stringify(part.split("=")[0]!.slice(0, 40))} is not valid percent-encoded UTF-8`;
    }
    const problem = unstorableText(decoded);
    if (problem) return `the query parameter ${JSON.stringify(decoded.split("=")[0]!.replaceAll("\u0000", "\\u0000").slice(0, 40))} contains ${problem}`;
  }
  return null;
}
