import type { Payload } from "../payloads.ts";

export type TargetName = "direct" | "nginx" | "proxy-bun" | "proxy-deno" | "portkey";
export const ALL_TARGETS: TargetName[] = ["direct", "nginx", "proxy-bun", "proxy-deno", "portkey"];

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface Target {
  name: TargetName;
  /** What ran, for the report ("bun 1.4.5, Elysia", "nginx 1.22.1 proxy_pass"). */
  description: string;
  baseUrl: string;
  /** The process whose RSS and CPU are measured (the emulator itself for `direct`). */
  pid: number;
  /** Facts recorded with the results (features on, key kind, signing note). */
  info: Record<string, string>;
  /** Method, URL, headers and body for this target; signed targets sign afresh on every call. */
  request(payload: Payload): Promise<HttpRequest>;
  /** How the load generator talks to it: HTTP/1.1 (default) or h2c with prior knowledge. */
  protocol?: "h1" | "h2";
  stop(): Promise<void>;
}

export interface EmulatorHandle {
  /** Origin as clients write it (`http://127.0.0.1` when on port 80). */
  url: string;
  /** The Host header clients send, and sign (URL.host: no `:80`). */
  hostPort: string;
  /** host:port to connect to (nginx upstream). */
  address: string;
  pid: number;
}

export class TargetUnavailable extends Error {}
