export { createUsageMeter, DEFAULT_MAX_BODY_BYTES, type UsageMeter, type UsageMeterInit } from "./meter.ts";
export type { GuardrailUnits, ModelTokens, TokenCounts, Usage, UsageSource } from "./types.ts";
export { EventStreamDecoder, EventStreamFormatError, type StreamFrame } from "./eventstream-decoder.ts";
