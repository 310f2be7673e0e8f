/**
 * What Bedrock refuses in an InvokeModel / InvokeModelWithResponseStream body, per model family, with its wording.
 * Bedrock checks a model-native body against the family's JSON schema and lists what failed, required keys first:
 *   Malformed input request: #: required key [prompt] not found#: extraneous key [messages] is not permitted, please
 *   reformat your input and try again.
 * (wording as AWS answers a Converse-shaped body sent to Llama; `#/messages/0: ...` for a member of a list). An
 * Anthropic Messages body that fails is also reported against the family's legacy text-completion schema, first:
 * `#: subject must not be valid against schema {"required":["messages"]}`; a text-completion body (`prompt`) sent to
 * a Claude 3 or later model gets Anthropic's own answer: `"claude-3-haiku-20240307" is not supported on this API.
 * Please use the Messages API instead.` Only families whose schema is documented are checked, at their top level
 * (Nova: and its messages); ARNs and other ids hide the model, so their bodies pass. The `emulator` control object is
 * allowed everywhere.
 */
import { validation, type AwsError } from "./errors.ts";
import { baseModelId } from "./ops/runtime/model-family.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const CONTROL = "emulator";

interface Schema {
  /** In the order Bedrock lists them. */
  required: readonly string[];
  /** Every key the schema knows; null: the family adds keys often enough that only `forbidden` are refused. */
  allowed: readonly string[] | null;
  /** Refused even when `allowed` is null: other APIs' keys, the usual sign of a body meant for another operation. */
  forbidden?: readonly string[];
}

// The Converse request's own members: a Converse body sent to InvokeModel.
const CONVERSE_KEYS = ["inferenceConfig", "toolConfig", "additionalModelRequestFields", "additionalModelResponseFieldPaths", "guardrailConfig", "promptVariables", "requestMetadata", "performanceConfig"];

const ANTHROPIC_MESSAGES: Schema = { required: ["max_tokens", "anthropic_version", "messages"], allowed: null, forbidden: [...CONVERSE_KEYS, "inputText", "textGenerationConfig"] };
const ANTHROPIC_TEXT: Schema = { required: ["prompt", "max_tokens_to_sample"], allowed: ["prompt", "max_tokens_to_sample", "anthropic_version", "temperature", "top_p", "top_k", "stop_sequences"] };
const NOVA: Schema = { required: ["messages"], allowed: ["schemaVersion", "system", "messages", "inferenceConfig", "toolConfig"] };
const TITAN_TEXT: Schema = { required: ["inputText"], allowed: ["inputText", "textGenerationConfig"] };
const TITAN_EMBED_TEXT: Schema = { required: ["inputText"], allowed: ["inputText", "dimensions", "normalize", "embeddingTypes"] };
const LLAMA: Schema = { required: ["prompt"], allowed: ["prompt", "max_gen_len", "temperature", "top_p", "images"] };
const MISTRAL_TEXT: Schema = { required: ["prompt"], allowed: ["prompt", "max_tokens", "stop", "temperature", "top_p", "top_k"] };
const COHERE_CHAT: Schema = {
  required: ["message"],
  allowed: [
    "message", "chat_history", "documents", "search_queries_only", "preamble", "max_tokens", "temperature", "p", "k", "prompt_truncation",
    "frequency_penalty", "presence_penalty", "seed", "return_prompt", "tools", "tool_results", "stop_sequences", "raw_prompting",
  ],
};

// Nova's text and multimodal understanding models (not Canvas, Reel, Sonic or the embeddings).
const NOVA_UNDERSTANDING = /^amazon\.nova-(2-)?(micro|lite|pro|premier|omni)\b/;
// Claude models that still take the text-completion API.
const LEGACY_CLAUDE = /^anthropic\.claude-(v2|instant-v1)/;

export function modelBodyProblem(modelId: string, body: Json): AwsError | null {
  const id = baseModelId(modelId);
  if (id.startsWith("anthropic.")) {
    if ("prompt" in body && !("messages" in body)) {
      if (LEGACY_CLAUDE.test(id)) return malformed(schemaViolations(body, ANTHROPIC_TEXT));
      return validation(`"${id.slice("anthropic.".length).replace(/-v\d+(:\d+)?$/, "")}" is not supported on this API. Please use the Messages API instead.`);
    }
    const violations = schemaViolations(body, ANTHROPIC_MESSAGES);
    if (violations.length > 0 && "messages" in body) violations.unshift(`#: subject must not be valid against schema {"required":["messages"]}`);
    return malformed(violations);
  }
  if (NOVA_UNDERSTANDING.test(id)) {
    return malformed([...schemaViolations(body, NOVA), ...novaMessageViolations(body.messages)]);
  }
  if (id.startsWith("amazon.titan-text-")) return malformed(schemaViolations(body, TITAN_TEXT));
  if (id.startsWith("amazon.titan-embed-text-")) return malformed(schemaViolations(body, TITAN_EMBED_TEXT));
  if (id.startsWith("meta.llama")) return malformed(schemaViolations(body, LLAMA));
  // Mistral's chat models (Large 2 and later, Pixtral) take `messages`; the first ones only a prompt.
  if (id.startsWith("mistral.") && !("messages" in body)) return malformed(schemaViolations(body, MISTRAL_TEXT));
  if (id.startsWith("cohere.command-r")) return malformed(schemaViolations(body, COHERE_CHAT));
  return null;
}

function schemaViolations(body: Json, schema: Schema, at = "#"): string[] {
  const violations: string[] = [];
  for (const key of schema.required) if (!(key in body)) violations.push(`${at}: required key [${key}] not found`);
  for (const key of Object.keys(body)) {
    if (key === CONTROL) continue;
    const refused = schema.allowed ? !schema.allowed.includes(key) : (schema.forbidden ?? []).includes(key);
    if (refused) violations.push(`${at}: extraneous key [${key}] is not permitted`);
  }
  return violations;
}

function novaMessageViolations(messages: unknown): string[] {
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((message, i) => (isObject(message) ? schemaViolations(message, { required: ["role", "content"], allowed: ["role", "content"] }, `#/messages/${i}`) : []));
}

function malformed(violations: string[]): AwsError | null {
  return violations.length === 0 ? null : validation(`Malformed input request: ${violations.join("")}, please reformat your input and try again.`);
}
