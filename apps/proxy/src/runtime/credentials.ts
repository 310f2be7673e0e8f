import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/**
 * The standard AWS chain: env keys (with session token), profiles, SSO, web identity, container and instance
 * metadata. Resolved lazily and refreshed five minutes before expiry.
 */
export function gatewayCredentials(): AwsCredentialIdentityProvider {
  return memoizeCredentials(fromNodeProviderChain());
}

/**
 * Credentials resolved once and refreshed shortly before they expire. Concurrent callers share one resolution,
 * and a failed one is retried by the next caller.
 */
export function memoizeCredentials(provider: AwsCredentialIdentityProvider, refreshMarginMs = 5 * 60_000): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | null = null;
  let expiresAt = 0;
  return () => {
    if (current && !(expiresAt && Date.now() > expiresAt - refreshMarginMs)) return current;
    const pending: Promise<AwsCredentialIdentity> = provider().then(
      (credentials) => {
        expiresAt = credentials.expiration ? credentials.expiration.getTime() : 0;
        return credentials;
      },
      (error) => {
        if (current === pending) current = null;
        throw error;
      },
    );
    current = pending;
    // While it resolves, every caller waits for this one resolution.
    expiresAt = 0;
    return pending;
  };
}
