/** What the client, the gateway and SigV4 agree on: the gateway's paths and headers, region names, byte handling. */
export { BEDROCK_PREFIX, BEDROCK_REGION_HEADER } from "./gateway-paths.ts";
export { isRegion } from "./region.ts";
export { concatBytes } from "./bytes.ts";
export { EventStreamFormatError, FrameTooLargeError, MAX_FRAME_BYTES, MIN_FRAME_BYTES, readFrames } from "./event-stream-frames.ts";
