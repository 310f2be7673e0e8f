/** Where the gateway serves Bedrock: clients replace `https://bedrock-runtime.{region}.amazonaws.com` with `PROXY/bedrock`. */
export const BEDROCK_PREFIX = "/bedrock";

/** The upstream region a client asks the gateway for; the SDK's own region only feeds signing. */
export const BEDROCK_REGION_HEADER = "x-bedrock-region";
