import type { EventChainVerifier } from "@bedrock-gateway/sigv4";
import type { RecordedRequest, StreamStats } from "./options.ts";
/** What an operation handler gets: the verified request, decoded params, control and resolved pacing. */
import type { EmulatorControl } from "./control.ts";
import type { EmulatorOptions, ServiceName } from "./options.ts";

export type JsonObject = Record<string, unknown>;

export interface OpContext {
  request: Request;
  operation: string;
  service: ServiceName;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Parsed JSON body ({} when the body is empty). */
  body: JsonObject;
  bodyBytes: Uint8Array;
  control: EmulatorControl;
  options: EmulatorOptions;
  requestId: string;
  receivedAt: number;
  eventDelayMs: number;
  /** Headers every response of this request carries (request id, emulator routing info). */
  baseHeaders: Record<string, string>;
  /** Client-abort signal when the runtime's request.signal is trustworthy. */
  signal: AbortSignal | undefined;
  streams: StreamStats;
  /** A signed event stream's input (InvokeModelWithBidirectionalStream): the body, never read whole, and its chain. */
  events?: { body: ReadableStream<Uint8Array>; chain: EventChainVerifier };
  /** The request's record, when recording: a session adds what it saw. */
  record: RecordedRequest | null;
}

export type OpHandler = (ctx: OpContext) => Response | Promise<Response>;
