/**
 * What Bedrock refuses in a Converse / ConverseStream body, with Bedrock's own wording, so a client or gateway
 * bug that AWS would answer with a 400 gets that 400 here too. Two layers, as in AWS: the API model's
 * constraints first (reported together, "N validation errors detected: ..."; list members 1-based,
 * `messages.1.member.role`), then the conversation rules (first one found, 0-based `messages.0.content.0`).
 */
import { constraintsFailed, mustBeOneOf, mustNotBeNull, validation, type AwsError } from "./errors.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const ROLES = ["user", "assistant"];

function constraintErrors(body: Json): string[] {
  const errors: string[] = [];
  const { messages, inferenceConfig } = body;
  if (messages === undefined || messages === null) errors.push(mustNotBeNull("messages"));
  if (Array.isArray(messages)) {
    messages.forEach((message, i) => {
      if (!isObject(message)) return;
      const at = `messages.${i + 1}.member`;
      if (message.role === undefined || message.role === null) errors.push(mustNotBeNull(`${at}.role`));
      else if (!ROLES.includes(String(message.role))) errors.push(mustBeOneOf(message.role, `${at}.role`, ROLES));
      if (message.content === undefined || message.content === null) errors.push(mustNotBeNull(`${at}.content`));
    });
  }
  if (isObject(inferenceConfig)) {
    const { maxTokens, temperature, topP } = inferenceConfig;
    if (typeof maxTokens === "number" && maxTokens < 1) {
      errors.push(`Value '${maxTokens}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    for (const [name, value] of [["temperature", temperature], ["topP", topP]] as const) {
      if (typeof value !== "number") continue;
      const shown = Number.isInteger(value) ? value.toFixed(1) : String(value);
      if (value < 0) errors.push(`Value '${shown}' at 'inferenceConfig.${name}' failed to satisfy constraint: Member must have value greater than or equal to 0`);
      if (value > 1) errors.push(`Value '${shown}' at 'inferenceConfig.${name}' failed to satisfy constraint: Member must have value less than or equal to 1`);
    }
  }
  return errors;
}

function conversationError(messages: unknown[]): string | null {
  if (messages.length === 0 || (messages[0] as Json).role !== "user") {
    return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Json;
    if (i > 0 && message.role === (messages[i - 1] as Json).role) {
      return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    }
    const content = message.content as unknown[];
    if (content.length === 0) {
      return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    }
    for (let j = 0; j < content.length; j++) {
      const block = content[j];
      if (isObject(block) && typeof block.text === "string" && block.text.trim() === "") {
        return `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`;
      }
    }
  }
  return null;
}

/** A wrongly shaped member (a string where a list belongs) fails deserialization before any constraint. */
function shapeError(body: Json): boolean {
  const { messages } = body;
  if (messages === undefined || messages === null) return false;
  if (!Array.isArray(messages)) return true;
  return messages.some((m) => !isObject(m) || (m.content !== undefined && m.content !== null && !Array.isArray(m.content)));
}

/** The ValidationException Bedrock would answer this Converse body with, or null when it would accept it. */
export function converseRequestProblem(body: Json): AwsError | null {
  if (shapeError(body)) return validation("Malformed input request, please reformat your input and try again.");
  const errors = constraintErrors(body);
  if (errors.length > 0) return constraintsFailed(errors);
  const problem = conversationError(body.messages as unknown[]);
  return problem === null ? null : validation(problem);
}
