/**
 * Strict local stand-in for AWS Bedrock Runtime and Bedrock Agent Runtime.
 * See README.md for the control fields and usage rules.
 */
export {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_SECRET_ACCESS_KEY,
  EMULATOR_SESSION_TOKEN,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest,
  type StreamStats,
  type RunningEmulator,
  type ServiceName,
  type SpeechUsage,
} from "./options.ts";
export { createEmulator } from "./emulator.ts";
export { startEmulator, type StartOptions } from "./serve.ts";
export { expectedUsage, countWords, type ExpectedUsage, type Usage } from "./usage.ts";
export type { EmulatorControl } from "./control.ts";
export { FAULTS_PATH, type FaultRule, type FaultState, type FaultError } from "./faults.ts";
export { guardrailUnits } from "./ops/runtime/guardrail.ts";
export { blankPngBase64 } from "./png.ts";
export { DEFAULT_CONTROL_PLANE, type ControlPlaneFixtures, type EmulatorAgent } from "./ops/control/fixtures.ts";
export { PROFILE_DESTINATIONS } from "./ops/control/catalog.ts";
export { INPUT_AUDIO_BYTES_PER_SPEECH_TOKEN, OUTPUT_AUDIO_BYTES_PER_SPEECH_TOKEN, SPEECH_TOKENS_PER_REPLY_WORD } from "./ops/runtime/bidirectional-stream.ts";
