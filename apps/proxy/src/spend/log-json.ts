import type { SpendLog } from "@bedrock-gateway/api-types";
import type { SpendLogRow } from "../store/spend-types.ts";
import { displayCost } from "./cost-display.ts";

/**
 * A spend row as the API shows it (LiteLLM's field names) and as the per-request log line prints it; stored
 * bodies are left out with `bodies: false` (the log line: bodies never go to stdout).
 */
export function spendLogJson(row: SpendLogRow, options: { bodies: boolean } = { bodies: true }): SpendLog {
  const json: SpendLog = {
    request_id: row.requestId,
    startTime: row.startTime,
    endTime: row.endTime,
    api_key: row.apiKey,
    key_alias: row.keyAlias,
    user: row.userId,
    team_id: row.teamId,
    end_user: row.endUser,
    route: row.route,
    operation: row.operation,
    model: row.model,
    region: row.region,
    status: row.status,
    latency_ms: row.latencyMs,
    ttfb_ms: row.ttfbMs,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cache_read_input_tokens: row.cacheReadInputTokens,
    cache_write_input_tokens: row.cacheWriteInputTokens,
    spend: displayCost(row.spend),
    upstream_request_id: row.upstreamRequestId,
    usage_source: row.usageSource,
    usage_complete: row.usageComplete,
    note: row.note,
  };
  if (options.bodies && row.requestBody !== null) json.request_body = row.requestBody;
  if (options.bodies && row.responseBody !== null) json.response_body = row.responseBody;
  return json;
}
