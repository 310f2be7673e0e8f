/**
 * Encryption at rest for the AWS secret access keys the gateway issues. Verifying SigV4 needs the secret itself
 * (unlike `sk-...` keys, which are stored as hashes), so it is sealed with AES-256-GCM under a key derived from
 * the operator's GATEWAY_SECRET_KEY. WebCrypto only: the same code runs on Bun, Deno and Node.
 *
 * Stored form: `v1:<base64 IV>:<base64 ciphertext+tag>`. The access key id is bound as additional data, so a
 * ciphertext copied onto another row does not decrypt.
 */
export const MIN_SECRET_KEY_LENGTH = 32;
const VERSION = "v1";
const HKDF_SALT = new TextEncoder().encode("bedrock-gateway/secret-box");
const HKDF_INFO = new TextEncoder().encode("aws-secret-access-key/v1");

export interface SecretBox {
  seal(plaintext: string, boundTo: string): Promise<string>;
  /** Throws when the value was sealed under another key, for another id, or altered. */
  open(sealed: string, boundTo: string): Promise<string>;
}

export class SecretKeyError extends Error {}

/** Derives the AES key once (HKDF-SHA-256); refuses key material shorter than 32 characters. */
export async function createSecretBox(secretKey: string): Promise<SecretBox> {
  if (secretKey.length < MIN_SECRET_KEY_LENGTH) {
    throw new SecretKeyError(`GATEWAY_SECRET_KEY must be at least ${MIN_SECRET_KEY_LENGTH} characters (e.g. \`openssl rand -base64 48\`).`);
  }
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secretKey), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: HKDF_SALT, info: HKDF_INFO },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  const encoder = new TextEncoder();
  return {
    async seal(plaintext, boundTo) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(boundTo) }, key, encoder.encode(plaintext));
      return `${VERSION}:${toBase64(iv)}:${toBase64(new Uint8Array(ciphertext))}`;
    },
    async open(sealed, boundTo) {
      const [version, iv, ciphertext, ...rest] = sealed.split(":");
      if (version !== VERSION || !iv || !ciphertext || rest.length) throw new Error("not a v1 sealed secret");
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(iv), additionalData: encoder.encode(boundTo) },
        key,
        fromBase64(ciphertext),
      );
      return new TextDecoder().decode(plaintext);
    },
  };
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, "base64"));
}
