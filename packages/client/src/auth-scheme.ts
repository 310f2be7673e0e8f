import type { BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";

// Both Bedrock clients share @smithy/types' HttpAuthScheme; deriving it avoids a direct @smithy/types dependency.
type HttpAuthScheme = NonNullable<BedrockRuntimeClientConfig["httpAuthSchemes"]>[number];
interface TokenIdentity {
  token: string;
  expiration?: Date;
}

export const GATEWAY_AUTH_SCHEME_ID = "bedrock-gateway#bearer";

/** A gateway key (`sk-...`), or AWS-style credentials the gateway issued (verified by SigV4). */
export type GatewayCredentials =
  | string
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/**
 * Config fragment that makes an SDK client send `Authorization: Bearer <key>` and nothing else.
 *
 * Why an auth scheme and not middleware: the SDK resolves the identity for the selected scheme before any
 * build/finalize middleware runs, so with SigV4 selected it would walk the credential chain (env, ~/.aws, IMDS)
 * and throw CredentialsProviderError on a machine without AWS credentials. Selecting only our scheme means no
 * AWS identity is ever requested. bedrock-agent-runtime has no bearer scheme of its own, so the built-in
 * `smithy.api#httpBearerAuth` is not an option there.
 */
export function gatewayBearerAuth(key: string): {
  httpAuthSchemes: HttpAuthScheme[];
  httpAuthSchemeProvider: () => { schemeId: string }[];
} {
  const scheme: HttpAuthScheme = {
    schemeId: GATEWAY_AUTH_SCHEME_ID,
    identityProvider: () => async (): Promise<TokenIdentity> => ({ token: key }),
    signer: {
      async sign(request, identity) {
        request.headers = { ...request.headers, authorization: `Bearer ${(identity as TokenIdentity).token}` };
        return request;
      },
    },
  };
  return {
    httpAuthSchemes: [scheme],
    httpAuthSchemeProvider: () => [{ schemeId: GATEWAY_AUTH_SCHEME_ID }],
  };
}

/** Config fragment for the credential variant: the SDK's default SigV4, fed static credentials only. */
export function staticSigV4Auth(credentials: Exclude<GatewayCredentials, string>) {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}

const EXPECTED = 'a gateway key ("sk-...") or the { accessKeyId, secretAccessKey } pair the gateway issued';

/**
 * Checks the key argument as a caller may really pass it: `process.env.GATEWAY_KEY!` is `undefined` at run time
 * when the variable is unset, and the SDK's own failure for that ("Cannot destructure property ...") names nothing.
 */
export function checkedCredentials(value: unknown, caller: string): GatewayCredentials {
  const fail = (what: string) => new TypeError(`${caller}: the first argument (the key) ${what}; expected ${EXPECTED}.`);
  if (value === undefined || value === null) {
    throw fail(`is ${value} (is the environment variable you read it from, e.g. GATEWAY_KEY, set?)`);
  }
  if (typeof value === "string") {
    if (value.trim() === "") throw fail("is an empty string (is the environment variable you read it from set?)");
    return value;
  }
  if (typeof value !== "object") throw fail(`is a ${typeof value}`);
  const pair = value as Record<string, unknown>;
  const missing = ["accessKeyId", "secretAccessKey"].filter((field) => typeof pair[field] !== "string" || pair[field] === "");
  if (missing.length > 0) throw fail(`has no ${missing.join(" and no ")}`);
  return pair as Exclude<GatewayCredentials, string>;
}

export function authConfig(credentials: GatewayCredentials) {
  return typeof credentials === "string" ? gatewayBearerAuth(credentials) : staticSigV4Auth(credentials);
}
