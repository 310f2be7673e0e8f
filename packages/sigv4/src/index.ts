/** SigV4 as AWS verifies it: shared by the gateway (credentials it issues) and the emulator (playing AWS). */
export { verifySigV4, checkSigV4Headers, scopeOf, type CheckedHeaders, type SignedRequestParts, type SigningSecret, type Verified, type VerifyOptions } from "./verify.ts";
export { SigV4Error } from "./errors.ts";
export { parseQuery } from "./query.ts";
export { formatAmzDate, parseAmzDate } from "./amz-date.ts";
export { STREAMING_EVENTS_PAYLOAD, eventChainSigner, eventChainVerifier, type EventChainSigner, type EventChainSignerOptions, type EventChainVerifier, type EventChainVerifierOptions } from "./event-chain.ts";
