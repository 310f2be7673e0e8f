/**
 * The path exactly as the client encoded it. `%3A` and `%2F` inside model ids and ARNs must survive:
 * they are signed double-encoded upstream, and decoding `%2F` would invent an extra path segment.
 */
export interface RawTarget {
  /** Path after the `/bedrock` prefix, still percent-encoded, e.g. `/model/cohere.command-r-v1%3A0/converse`. */
  path: string;
  /** Raw query string without `?`, or "". */
  query: string;
  /** Percent-encoded segments of `path`. */
  segments: string[];
}

export type RawTargetResult = { ok: true; target: RawTarget } | { ok: false; reason: string };

/** Where the path of an absolute `request.url` starts (-1: none): after scheme://authority, without re-parsing (URL would normalise the path). */
export function pathStartOf(requestUrl: string): number {
  return requestUrl.indexOf("/", requestUrl.indexOf("//") + 2);
}

/** Whether an absolute `request.url`'s path is under `prefix` (e.g. `/bedrock`), without parsing the URL. */
export function isUnderPrefix(requestUrl: string, prefix: string): boolean {
  const pathStart = pathStartOf(requestUrl);
  return pathStart >= 0 && requestUrl.startsWith(prefix + "/", pathStart);
}

export function parseRawTarget(requestUrl: string, prefix: string): RawTargetResult {
  const pathStart = pathStartOf(requestUrl);
  const full = pathStart < 0 ? "/" : requestUrl.slice(pathStart);
  const q = full.indexOf("?");
  const pathWithPrefix = q < 0 ? full : full.slice(0, q);
  const query = q < 0 ? "" : full.slice(q + 1);
  if (!pathWithPrefix.startsWith(prefix + "/")) return { ok: false, reason: "path is outside the Bedrock prefix" };
  const path = pathWithPrefix.slice(prefix.length);
  const segments = path.slice(1).split("/");
  for (let i = 0; i < segments.length; i++) {
    // A trailing slash is part of some operations' paths (`PUT /sessions/`); an empty segment elsewhere is not.
    if (segments[i] === "" && i === segments.length - 1 && i > 0) continue;
    const problem = segmentProblem(segments[i]);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, target: { path, query, segments } };
}

function segmentProblem(segment: string): string | null {
  if (segment === "") return "empty path segment";
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return "malformed percent-encoding in path";
  }
  if (decoded === "." || decoded === "..") return "relative path segments are not allowed";
  if (/[\u0000-\u001f\\]/.test(decoded)) return "control characters or backslashes in path";
  return null;
}

/** A path label as Bedrock reads it (percent-decoded once); a malformed encoding is kept as sent. */
export function decodeLabel(label: string): string {
  if (!label.includes("%")) return label;
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}
