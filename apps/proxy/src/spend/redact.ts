/** Bodies stored with STORE_REQUEST_BODIES=true: JSON only, secrets replaced, truncated. */
export const STORED_BODY_MAX_CHARS = 64 * 1024;
/** Bytes kept to parse a body before redacting; bigger bodies are summarised, not stored. */
export const CAPTURE_MAX_BYTES = 1024 * 1024;

const SECRET_KEY = /authori[sz]ation|api[-_]?key|secret|token|password|passwd|passphrase|credential|session[-_]?id|cookie|signature|private[-_]?key|access[-_]?key/i;
/** Short names that are secrets as whole words (`auth`, `x-auth`, `jwt`), but not inside others (`author`). */
const SECRET_WORDS = new Set(["auth", "jwt", "pwd", "pass", "pin", "otp", "totp", "bearer", "cert", "pem", "privkey", "pkey", "nonce", "mfa"]);

function namesSecret(key: string): boolean {
  if (SECRET_KEY.test(key)) return true;
  // camelCase, snake_case and kebab-case all split into words.
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).some((word) => SECRET_WORDS.has(word));
}

/** Any string (or other) value under a key that names a secret becomes "[redacted]", at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Token counts (inputTokens, totalTokens...) are numbers about tokens, not secrets.
    out[k] = namesSecret(k) && (typeof v === "string" || typeof v === "object") && v !== null ? "[redacted]" : redactSecrets(v);
  }
  return out;
}

/** The text to store for a body: redacted JSON, truncated; non-JSON bodies are described, never stored raw. */
export function storableBody(bytes: Uint8Array | null, totalBytes = bytes?.byteLength ?? 0): string | null {
  if (bytes === null || totalBytes === 0) return null;
  if (totalBytes > bytes.byteLength) return `[${totalBytes} bytes: too large to redact, not stored]`;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return `[${totalBytes} bytes, not JSON: not stored]`;
  }
  const text = JSON.stringify(redactSecrets(json));
  return text.length > STORED_BODY_MAX_CHARS ? text.slice(0, STORED_BODY_MAX_CHARS) + `...[truncated, ${text.length} chars]` : text;
}
