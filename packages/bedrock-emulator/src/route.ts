/**
 * Maps method + raw path to an operation. Matching works on raw segments
 * decoded one by one, so an ARN sent with `%2F` stays a single label; model
 * ids and ARNs also match when a client sent literal `/` (greedy `{x+}`).
 */
import { serviceForSegment } from "@bedrock-gateway/api-types";
import type { OpHandler } from "./context.ts";
import type { ServiceName } from "./options.ts";
import * as agenticRetrieve from "./ops/agent/agentic-retrieve.ts";
import * as flows from "./ops/agent/flows.ts";
import * as generateQuery from "./ops/agent/generate-query.ts";
import * as invokeAgent from "./ops/agent/invoke-agent.ts";
import * as memory from "./ops/agent/memory.ts";
import * as optimizePrompt from "./ops/agent/optimize-prompt.ts";
import * as rerank from "./ops/agent/rerank.ts";
import * as retrieve from "./ops/agent/retrieve.ts";
import * as sessions from "./ops/agent/sessions.ts";
import * as tags from "./ops/agent/tags.ts";
import * as asyncInvoke from "./ops/runtime/async-invoke.ts";
import * as converse from "./ops/runtime/converse.ts";
import * as converseStream from "./ops/runtime/converse-stream.ts";
import * as countTokens from "./ops/runtime/count-tokens.ts";
import { bidirectionalStream } from "./ops/runtime/bidirectional-stream.ts";
import * as guardrail from "./ops/runtime/guardrail.ts";
import * as invokeModel from "./ops/runtime/invoke-model.ts";
import * as invokeModelStream from "./ops/runtime/invoke-model-stream.ts";
import * as openaiChat from "./ops/openai/chat-completions.ts";
import * as openaiResponses from "./ops/openai/responses.ts";
import * as anthropicMessages from "./ops/anthropic/messages.ts";

type RouteDef = [method: string, pattern: string, operation: string, handler: OpHandler];

/** The one operation whose request body is a live stream of signed events, read as it arrives. */
export const BIDIRECTIONAL_STREAM = "InvokeModelWithBidirectionalStream";

const ROUTES: RouteDef[] = [
  // bedrock-runtime
  ["POST", "/model/{modelId+}/converse", "Converse", converse.converse],
  ["POST", "/model/{modelId+}/converse-stream", "ConverseStream", converseStream.converseStream],
  ["POST", "/model/{modelId+}/invoke", "InvokeModel", invokeModel.invokeModel],
  ["POST", "/model/{modelId+}/invoke-with-response-stream", "InvokeModelWithResponseStream", invokeModelStream.invokeModelStream],
  ["POST", "/model/{modelId+}/count-tokens", "CountTokens", countTokens.countTokens],
  ["POST", "/model/{modelId+}/invoke-with-bidirectional-stream", BIDIRECTIONAL_STREAM, bidirectionalStream],
  ["POST", "/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply", "ApplyGuardrail", guardrail.applyGuardrail],
  ["POST", "/guardrail-checks/invoke", "InvokeGuardrailChecks", guardrail.invokeGuardrailChecks],
  ["POST", "/async-invoke", "StartAsyncInvoke", asyncInvoke.startAsyncInvoke],
  ["GET", "/async-invoke", "ListAsyncInvokes", asyncInvoke.listAsyncInvokes],
  ["GET", "/async-invoke/{invocationArn+}", "GetAsyncInvoke", asyncInvoke.getAsyncInvoke],
  // bedrock-runtime's OpenAI-compatible API
  ["POST", "/openai/v1/chat/completions", "CreateChatCompletion", openaiChat.chatCompletions],
  ["POST", "/openai/v1/responses", "CreateResponse", openaiResponses.responses],
  // bedrock-runtime's Anthropic Messages API
  ["POST", "/anthropic/v1/messages", "CreateMessage", anthropicMessages.messages],
  // bedrock-agent-runtime
  ["POST", "/knowledgebases/{knowledgeBaseId}/retrieve", "Retrieve", retrieve.retrieve],
  ["POST", "/retrieveAndGenerate", "RetrieveAndGenerate", retrieve.retrieveAndGenerate],
  ["POST", "/retrieveAndGenerateStream", "RetrieveAndGenerateStream", retrieve.retrieveAndGenerateStream],
  ["POST", "/agenticRetrieveStream", "AgenticRetrieveStream", agenticRetrieve.agenticRetrieveStream],
  ["POST", "/agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text", "InvokeAgent", invokeAgent.invokeAgent],
  ["POST", "/agents/{sessionId}", "InvokeInlineAgent", invokeAgent.invokeAgent],
  ["GET", "/agents/{agentId}/agentAliases/{agentAliasId}/memories", "GetAgentMemory", memory.getAgentMemory],
  ["DELETE", "/agents/{agentId}/agentAliases/{agentAliasId}/memories", "DeleteAgentMemory", memory.deleteAgentMemory],
  ["PUT", "/sessions", "CreateSession", sessions.createSession],
  ["POST", "/sessions", "ListSessions", sessions.listSessions],
  ["GET", "/sessions", "ListSessions", sessions.listSessions],
  ["GET", "/sessions/{sessionIdentifier}", "GetSession", sessions.getSession],
  ["PUT", "/sessions/{sessionIdentifier}", "UpdateSession", sessions.updateSession],
  ["PATCH", "/sessions/{sessionIdentifier}", "EndSession", sessions.endSession],
  ["DELETE", "/sessions/{sessionIdentifier}", "DeleteSession", sessions.deleteSession],
  ["PUT", "/sessions/{sessionIdentifier}/invocations", "CreateInvocation", sessions.createInvocation],
  ["POST", "/sessions/{sessionIdentifier}/invocations", "ListInvocations", sessions.listInvocations],
  ["PUT", "/sessions/{sessionIdentifier}/invocationSteps", "PutInvocationStep", sessions.putInvocationStep],
  ["POST", "/sessions/{sessionIdentifier}/invocationSteps", "ListInvocationSteps", sessions.listInvocationSteps],
  ["POST", "/sessions/{sessionIdentifier}/invocationSteps/{invocationStepId}", "GetInvocationStep", sessions.getInvocationStep],
  ["POST", "/flows/{flowIdentifier}/aliases/{flowAliasIdentifier}", "InvokeFlow", flows.invokeFlow],
  ["POST", "/flows/{flowIdentifier}/aliases/{flowAliasIdentifier}/executions", "StartFlowExecution", flows.startFlowExecution],
  ["GET", "/flows/{flowIdentifier}/executions", "ListFlowExecutions", flows.listFlowExecutions],
  ["GET", "/flows/{flowIdentifier}/aliases/{flowAliasIdentifier}/executions/{executionIdentifier}", "GetFlowExecution", flows.getFlowExecution],
  ["POST", "/flows/{flowIdentifier}/aliases/{flowAliasIdentifier}/executions/{executionIdentifier}/stop", "StopFlowExecution", flows.stopFlowExecution],
  ["GET", "/flows/{flowIdentifier}/aliases/{flowAliasIdentifier}/executions/{executionIdentifier}/events", "ListFlowExecutionEvents", flows.listFlowExecutionEvents],
  ["GET", "/flows/{flowIdentifier}/aliases/{flowAliasIdentifier}/executions/{executionIdentifier}/flowsnapshot", "GetExecutionFlowSnapshot", flows.getExecutionFlowSnapshot],
  ["POST", "/rerank", "Rerank", rerank.rerank],
  ["POST", "/generateQuery", "GenerateQuery", generateQuery.generateQuery],
  ["POST", "/optimize-prompt", "OptimizePrompt", optimizePrompt.optimizePrompt],
  ["GET", "/tags/{resourceArn+}", "ListTagsForResource", tags.listTags],
  ["POST", "/tags/{resourceArn+}", "TagResource", tags.tagResource],
  ["DELETE", "/tags/{resourceArn+}", "UntagResource", tags.untagResource],
];

interface CompiledRoute {
  method: string;
  operation: string;
  handler: OpHandler;
  prefix: string[]; // literal or "{name}" segments before the greedy one
  greedy: string | null;
  suffix: string[];
}

function compile([method, pattern, operation, handler]: RouteDef): CompiledRoute {
  const segs = pattern.split("/").filter((s) => s !== "");
  const g = segs.findIndex((s) => s.endsWith("+}"));
  if (g < 0) return { method, operation, handler, prefix: segs, greedy: null, suffix: [] };
  return { method, operation, handler, prefix: segs.slice(0, g), greedy: segs[g]!.slice(1, -2), suffix: segs.slice(g + 1) };
}

// Indexed by first segment so a lookup only scans that service's handful of routes.
const BY_FIRST = new Map<string, CompiledRoute[]>();
for (const def of ROUTES) {
  const r = compile(def);
  const first = r.prefix[0]!;
  const list = BY_FIRST.get(first) ?? [];
  list.push(r);
  BY_FIRST.set(first, list);
}

export interface RouteMatch {
  operation: string;
  handler: OpHandler;
  params: Record<string, string>;
}

export function serviceFor(rawPath: string): ServiceName | null {
  const end = rawPath.indexOf("/", 1);
  // The first segment decides, as for AWS's hosts; the map comes from the gateway's spec.
  return serviceForSegment(rawPath.slice(1, end < 0 ? undefined : end));
}

export function matchRoute(method: string, rawPath: string): RouteMatch | null {
  // Empty segments (trailing slash, `//`) are dropped: the SDK's session routes end in `/`.
  const raw = rawPath.split("/").filter((s) => s !== "");
  const candidates = BY_FIRST.get(raw[0] ?? "");
  if (!candidates) return null;
  let segs: string[];
  try {
    segs = raw.map(decodeURIComponent);
  } catch {
    return null;
  }
  for (const r of candidates) {
    if (r.method !== method) continue;
    const params = matchSegments(r, segs);
    if (params) return { operation: r.operation, handler: r.handler, params };
  }
  return null;
}

function matchSegments(r: CompiledRoute, segs: string[]): Record<string, string> | null {
  const fixed = r.prefix.length + r.suffix.length;
  if (r.greedy === null ? segs.length !== fixed : segs.length <= fixed) return null;
  const params: Record<string, string> = {};
  const bind = (pattern: string, value: string) => {
    if (pattern.startsWith("{")) {
      params[pattern.slice(1, -1)] = value;
      return true;
    }
    return pattern === value;
  };
  for (let i = 0; i < r.prefix.length; i++) if (!bind(r.prefix[i]!, segs[i]!)) return null;
  const tail = segs.length - r.suffix.length;
  for (let i = 0; i < r.suffix.length; i++) if (!bind(r.suffix[i]!, segs[tail + i]!)) return null;
  if (r.greedy !== null) params[r.greedy] = segs.slice(r.prefix.length, tail).join("/");
  return params;
}
