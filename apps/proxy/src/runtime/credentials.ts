import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { memoizeCredentials } from "../bedrock/sign.ts";

/**
 * The standard AWS chain: env keys (with session token), profiles, SSO, web identity, container and instance
 * metadata. Resolved lazily and refreshed five minutes before expiry.
 */
export function gatewayCredentials(): AwsCredentialIdentityProvider {
  return memoizeCredentials(fromNodeProviderChain());
}
