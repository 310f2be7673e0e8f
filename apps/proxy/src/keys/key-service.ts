import type { KeyListQuery, KeyPatch, KeyRow, KeySettings, Store } from "../store/types.ts";
import { generateAwsCredentials, type AwsCredentialPair } from "./aws-credentials.ts";
import type { KeyInvalidation } from "./invalidation.ts";
import type { SecretBox } from "./secret-box.ts";
import { generateSecret, hashSecret, maskSecret } from "./secret.ts";

/** What a key gets for every setting the request leaves out. */
export const defaultKeySettings: KeySettings = {
  keyAlias: null,
  models: [],
  allowedRoutes: [],
  allowedRegions: [],
  maxBudget: null,
  budgetDuration: null,
  budgetResetAt: null,
  rpmLimit: null,
  tpmLimit: null,
  expires: null,
  userId: null,
  teamId: null,
  metadata: {},
  blocked: false,
};

export interface IssuedKey {
  /** The secret `sk-...`: returned once, never stored. */
  secret: string;
  row: KeyRow;
  /** New AWS-style credentials, when issued: the secret is returned once and stored only encrypted. */
  aws?: AwsCredentialPair;
}

/** Thrown when AWS-style credentials are asked for but GATEWAY_SECRET_KEY is not configured. */
export class AwsCredentialsUnavailable extends Error {
  constructor() {
    super("aws_credentials needs GATEWAY_SECRET_KEY: set it (32+ characters, e.g. `openssl rand -base64 48`) and restart the gateway.");
  }
}

/**
 * Key lifecycle over the store; every change is announced so cached lookups everywhere drop the key.
 * `box` (from GATEWAY_SECRET_KEY) seals the secrets of AWS-style credentials; without it none can be issued.
 */
export function createKeyService(store: Store, invalidation: KeyInvalidation, box: SecretBox | null = null) {
  const changed = async <T>(tokens: string[], result: T) => {
    await Promise.all(tokens.map((t) => invalidation.publish(t)));
    return result;
  };
  const newAwsPair = async () => {
    if (!box) throw new AwsCredentialsUnavailable();
    const aws = generateAwsCredentials();
    return { aws, columns: { awsAccessKeyId: aws.accessKeyId, awsSecretCiphertext: await box.seal(aws.secretAccessKey, aws.accessKeyId) } };
  };
  return {
    /** Whether `aws_credentials: true` can be honoured (GATEWAY_SECRET_KEY is set). */
    canIssueAwsCredentials: box !== null,
    async issue(settings: KeyPatch, options: { awsCredentials?: boolean } = {}): Promise<IssuedKey> {
      const secret = generateSecret();
      const pair = options.awsCredentials ? await newAwsPair() : null;
      const row = await store.createKey({ ...defaultKeySettings, ...settings, ...pair?.columns, token: hashSecret(secret), keyName: maskSecret(secret) });
      // A negative lookup of this token may be cached (someone guessed it first): drop it.
      return changed([row.token], { secret, row, ...(pair && { aws: pair.aws }) });
    },
    get: (token: string) => store.getKey(token),
    list: (query: KeyListQuery) => store.listKeys(query),
    async update(token: string, patch: KeyPatch): Promise<KeyRow | null> {
      const row = await store.updateKey(token, patch);
      return row ? changed([token], row) : null;
    },
    /**
     * New secret; the AWS pair is replaced too when the key has one (or `awsCredentials: true` asks for one), and
     * dropped with `awsCredentials: false`. Old secrets stop working at once: the token changes with them.
     */
    async regenerate(token: string, patch: KeyPatch, options: { awsCredentials?: boolean } = {}): Promise<IssuedKey | null> {
      const current = await store.getKey(token);
      if (!current) return null;
      const wantsPair = options.awsCredentials ?? current.awsAccessKeyId !== null;
      const pair = wantsPair ? await newAwsPair() : null;
      const secret = generateSecret();
      const next = { token: hashSecret(secret), keyName: maskSecret(secret), ...(pair ? pair.columns : { awsAccessKeyId: null, awsSecretCiphertext: null }) };
      const row = await store.rotateKey(token, next, patch);
      return row ? changed([token, row.token], { secret, row, ...(pair && { aws: pair.aws }) }) : null;
    },
    async remove(tokens: string[]) {
      const result = await store.deleteKeys(tokens);
      return result.ok ? changed(result.deleted, result) : result;
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
