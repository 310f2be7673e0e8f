import type { SpendLog } from "@bedrock-gateway/api-types";
import type { SpendLogRow } from "../store/spend-types.ts";

/** A spend row as the API shows it (LiteLLM's field names) and as the per-request log line prints it. */
export function spendLogJson(row: SpendLogRow): SpendLog {
  return {
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
    spend: row.spend,
    upstream_request_id: row.upstreamRequestId,
    usage_source: row.usageSource,
    usage_complete: row.usageComplete,
    note: row.note,
    ...(row.requestBody !== null && { request_body: row.requestBody }),
    ...(row.responseBody !== null && { response_body: row.responseBody }),
  };
}
