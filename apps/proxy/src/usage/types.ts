/** Where a usage figure was read from, so the spend log can say how much to trust it. */
export type UsageSource =
  | "converse-body"
  | "stream-metadata"
  | "invoke-headers"
  | "invoke-body"
  | "invocation-metrics"
  | "stream-body"
  | "usage-events"
  | "guardrail-usage"
  | "agent-trace"
  | "openai-usage"
  | "openai-stream-usage"
  | "anthropic-usage"
  | "anthropic-stream-usage"
  | "request-body"
  | "free"
  | "not-exposed"
  | "unreadable";

/** Token counts as Bedrock bills them. Cache tokens are not included in `inputTokens`. */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** Of `cacheWriteInputTokens`, those written with a 1-hour TTL (the rest are 5-minute writes); absent when not reported. */
  cacheWrite1hInputTokens?: number;
}

/**
 * Guardrail text units per policy, as `ApplyGuardrail` reports them in `usage`
 * (InvokeGuardrailChecks' content-filter and prompt-attack units count as `content`).
 */
export interface GuardrailUnits {
  content: number;
  /** Images assessed by the content policy (`contentPolicyImageUnits`). */
  contentImage: number;
  topic: number;
  word: number;
  sensitiveInformation: number;
  /** Regex-only sensitive-information units, which Bedrock does not charge. */
  sensitiveInformationFree: number;
  contextualGrounding: number;
  /** Text units × Automated Reasoning policies (each policy is billed for every unit). */
  automatedReasoning: number;
}

/** Tokens attributed to one model, when a call fans out to several (agents). */
export interface ModelTokens extends TokenCounts {
  /** The foundation model named in the trace; null when the trace does not say. */
  modelId: string | null;
}

/** Images an image-generation call made of one size and quality. */
export interface GeneratedImages {
  count: number;
  quality: "standard" | "premium";
  /** Width × height; null when neither the image nor the request says. */
  pixels: number | null;
}

/** Billed units that are not tokens, counted from the response or, where it reports nothing, the request. */
export interface BilledUnits {
  /** Rerank: billed queries (each query counts once per started 100 documents). */
  queries?: number;
  /** StartAsyncInvoke video generation: seconds of video the job was asked to produce. */
  videoSeconds?: number;
  /** Image generation (Nova Canvas, Titan Image Generator, Stability): the images made, by size and quality. */
  images?: GeneratedImages[];
  /** Multimodal embeddings: images given as input (billed per image; their tokens are not counted). */
  inputImages?: number;
}

export interface Usage extends TokenCounts {
  units?: BilledUnits;
  /** The model the request body names (Rerank, RetrieveAndGenerate, StartAsyncInvoke, InvokeInlineAgent), when the path names none. */
  modelId?: string;
  /** Of `inputTokens` and `outputTokens`, those that were speech (Nova Sonic), priced at the model's audio rates. */
  speechTokens?: { input: number; output: number };
  /** Present for guardrail calls, and for Converse calls whose guardrail trace reports units. */
  guardrailUnits?: GuardrailUnits;
  /** Per-model split for calls that invoke several models (agent traces); the top-level counts are its sum. */
  byModel?: ModelTokens[];
  source: UsageSource;
  /** Set when tokens are partial (stream cut) or absent, e.g. "Bedrock exposes no token usage for RetrieveAndGenerate". */
  note?: string;
  /** False when the figures are a lower bound: the stream was cut, or usage was never reported. */
  complete: boolean;
}

export const zeroTokens = (): TokenCounts => ({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });

export const zeroGuardrailUnits = (): GuardrailUnits => ({
  content: 0,
  contentImage: 0,
  topic: 0,
  word: 0,
  sensitiveInformation: 0,
  sensitiveInformationFree: 0,
  contextualGrounding: 0,
  automatedReasoning: 0,
});

export function addTokens(into: TokenCounts, add: TokenCounts): void {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.cacheReadInputTokens += add.cacheReadInputTokens;
  into.cacheWriteInputTokens += add.cacheWriteInputTokens;
}

export function addGuardrailUnits(into: GuardrailUnits, add: GuardrailUnits): void {
  for (const key of Object.keys(into) as (keyof GuardrailUnits)[]) into[key] += add[key];
}
