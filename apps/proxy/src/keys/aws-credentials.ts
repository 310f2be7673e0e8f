/**
 * AWS-shaped credentials the gateway issues for SigV4 clients. The access key id looks like AWS's (20 characters,
 * A-Z and 2-7) but starts with `BGWA` instead of AKIA/ASIA, so a request signed with one is recognised as ours
 * from the Authorization header alone, before any storage read.
 */
export const GATEWAY_ACCESS_KEY_PREFIX = "BGWA";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; // base32: 32 symbols, so `byte & 31` is unbiased
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"; // 64 symbols, as AWS secrets
const ACCESS_KEY_ID_SHAPE = /^BGWA[A-Z2-7]{16}$/;

export interface AwsCredentialPair {
  accessKeyId: string;
  /** Shown once at issue; stored only encrypted. */
  secretAccessKey: string;
}

/** A new pair: `BGWA` + 16 random base32 characters (80 bits), and a 40-character secret (240 bits). */
export function generateAwsCredentials(): AwsCredentialPair {
  return {
    accessKeyId: GATEWAY_ACCESS_KEY_PREFIX + randomString(ID_ALPHABET, 16),
    secretAccessKey: randomString(SECRET_ALPHABET, 40),
  };
}

/** Cheap routing test: does this id claim to be one the gateway issued? (Verification decides if it is.) */
export function isGatewayAccessKeyId(accessKeyId: string): boolean {
  return accessKeyId.startsWith(GATEWAY_ACCESS_KEY_PREFIX);
}

/** Exactly the shape `generateAwsCredentials` produces: anything else is never looked up in storage. */
export function isWellFormedAccessKeyId(accessKeyId: string): boolean {
  return ACCESS_KEY_ID_SHAPE.test(accessKeyId);
}

function randomString(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) out += alphabet[byte & (alphabet.length - 1)];
  return out;
}
