import type { StreamFrame } from "./eventstream-decoder.ts";
import { at, count, isObject, parseJson } from "./json.ts";
import type { StreamUsageReader } from "./stream-reader.ts";
import { addTokens, type ModelTokens, type TokenCounts, type Usage, zeroTokens } from "./types.ts";

/**
 * InvokeAgent / InvokeInlineAgent: model usage appears only in `trace` events (requests with `enableTrace`), as
 * `trace.<step>Trace.modelInvocationOutput.metadata.usage {inputTokens, outputTokens}` for the orchestration,
 * pre-processing, post-processing, routing-classifier and custom-orchestration steps. The model of each step comes
 * from the matching `modelInvocationInput.foundationModel` (same `traceId`), so the usage can be split per model.
 */
export function agentUsageReader(): StreamUsageReader {
  const modelByTraceId = new Map<string, string>();
  const byModel = new Map<string | null, ModelTokens>();
  let traceEvents = 0;
  let invocations = 0;

  const record = (step: unknown) => {
    if (!isObject(step)) return;
    const input = step.modelInvocationInput;
    const inputTraceId = at(input, "traceId");
    const foundationModel = at(input, "foundationModel");
    if (typeof inputTraceId === "string" && typeof foundationModel === "string") modelByTraceId.set(inputTraceId, foundationModel);

    const output = step.modelInvocationOutput;
    const usage = at(output, "metadata", "usage");
    if (!isObject(usage)) return;
    const counts: TokenCounts = { ...zeroTokens(), inputTokens: count(usage.inputTokens) ?? 0, outputTokens: count(usage.outputTokens) ?? 0 };
    const traceId = at(output, "traceId");
    const modelId = (typeof traceId === "string" ? modelByTraceId.get(traceId) : undefined) ?? null;
    let entry = byModel.get(modelId);
    if (!entry) byModel.set(modelId, (entry = { modelId, ...zeroTokens() }));
    addTokens(entry, counts);
    invocations++;
  };

  return {
    frame(frame: StreamFrame) {
      if (frame.kind !== "event" || frame.eventType !== "trace") return;
      traceEvents++;
      const trace = at(parseJson(frame.payload), "trace");
      if (!isObject(trace)) return;
      for (const step of Object.values(trace)) record(step);
    },
    result(): Usage {
      if (invocations === 0) {
        const note =
          traceEvents === 0
            ? "InvokeAgent reports model usage only in traces: enable trace to meter agent usage"
            : `${traceEvents} trace events carried no model usage`;
        return { ...zeroTokens(), source: "not-exposed", note, complete: false };
      }
      const total = zeroTokens();
      const models = [...byModel.values()];
      for (const m of models) addTokens(total, m);
      return { ...total, byModel: models, source: "agent-trace", complete: true };
    },
    hasUsage: () => invocations > 0,
  };
}
