/** Public configuration and recording types (re-exported from index.ts). */
import type { FaultRule, Faults } from "./faults.ts";
import type { ControlPlaneFixtures } from "./ops/control/fixtures.ts";

export const EMULATOR_ACCESS_KEY_ID = "AKIAEMULATOR00000001";
export const EMULATOR_SECRET_ACCESS_KEY = "emulatorSecretKey/0000000000000000000000";
export const EMULATOR_SESSION_TOKEN: string | undefined = undefined;

export interface EmulatorOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** When set, requests must carry a signed `x-amz-security-token` equal to it. */
  sessionToken?: string;
  /** Allowed signing regions; default: anything shaped like an AWS region. */
  regions?: string[];
  /** Clock in ms since epoch; injectable for skew tests. */
  now?: () => number;
  streamEventDelayMs?: number;
  firstByteDelayMs?: number;
  /** Default true; benchmarks turn it off so memory stays flat. */
  recordRequests?: boolean;
  /** Throttle or fail calls by region, model and count (see faults.ts); changeable later through `faults`. */
  faults?: FaultRule[];
  /** Application inference profiles and agents the control planes know, over the built-in ones. */
  controlPlane?: ControlPlaneFixtures;
}

export type ServiceName = "bedrock-runtime" | "bedrock-agent-runtime" | "bedrock";

export interface RecordedRequest {
  method: string;
  rawPath: string;
  query: string;
  headers: Record<string, string>;
  bodyLength: number;
  operation: string | null;
  service: ServiceName | null;
  signingRegion: string | null;
  verified: boolean;
  error?: string;
  /** InvokeModelWithBidirectionalStream: input events opened (signature checked), and the session's usage so far. */
  session?: { inputEvents: number; usage: SpeechUsage };
}

/** Nova Sonic's token counts: speech and text, in and out (a `usageEvent`'s `details.total`). */
export interface SpeechUsage {
  input: { speechTokens: number; textTokens: number };
  output: { speechTokens: number; textTokens: number };
}

/** How the emulator's event streams ended: lets tests see that a client abort reached upstream. */
export interface StreamStats {
  started: number;
  completed: number;
  /** Stopped because the reader went away (client abort propagated by a proxy). */
  cancelled: number;
}

export interface Emulator {
  fetch(request: Request): Promise<Response>;
  requests: RecordedRequest[];
  /** Control-plane calls (GetInferenceProfile, GetAgent...), apart from the runtime calls in `requests`. */
  controlPlaneRequests: RecordedRequest[];
  streams: StreamStats;
  reset(): void;
  options: EmulatorOptions;
  /** Fault rules in force (also reachable unsigned at `/__emulator/faults`). */
  faults: Faults;
}

export interface RunningEmulator extends Emulator {
  url: string;
  port: number;
  close(): Promise<void>;
}
