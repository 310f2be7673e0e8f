import type { BenchConfig } from "../config.ts";
import type { Payload } from "../payloads.ts";

export interface Payloads {
  converse: Payload;
  stream: Payload;
  slowStream: Payload;
  large: Payload;
}

export interface ScenarioContext {
  config: BenchConfig;
  payloads: Payloads;
  emulatorPid: number;
}

export const SCENARIOS = ["converse-rate", "throughput", "stream-ttfb", "concurrent-streams", "large-body"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
