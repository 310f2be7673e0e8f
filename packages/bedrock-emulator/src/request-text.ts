/**
 * Extracts the prompt text a request carries, so input tokens can be the
 * word count of exactly what the caller sent.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// Keys whose string values are prompt text across the model-native formats
// (anthropic, nova, titan, meta, mistral, cohere, ai21, deepseek) and Converse.
const TEXT_KEYS = new Set(["text", "prompt", "inputText", "message", "content", "system", "preamble"]);
// Subtrees that are never prompt text (binary blobs, control, tool schemas).
const SKIP_KEYS = new Set(["emulator", "image", "document", "video", "source", "bytes", "toolConfig", "tools", "inferenceConfig"]);

function collect(value: unknown, out: string[], key: string | null): void {
  if (typeof value === "string") {
    if (key !== null && TEXT_KEYS.has(key)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out, key);
  } else if (isObject(value)) {
    for (const k of Object.keys(value)) if (!SKIP_KEYS.has(k)) collect(value[k], out, k);
  }
}

/** All prompt text of a request body, joined by spaces. */
export function requestText(operation: string, body: unknown): string {
  if (!isObject(body)) return "";
  const out: string[] = [];
  switch (operation) {
    case "Converse":
    case "ConverseStream":
      collect({ messages: body.messages, system: body.system }, out, null);
      break;
    case "InvokeModel":
    case "InvokeModelWithResponseStream":
      collect(body, out, null);
      break;
    case "InvokeAgent":
    case "InvokeInlineAgent":
      if (typeof body.inputText === "string") out.push(body.inputText);
      break;
    case "Retrieve":
      collect(body.retrievalQuery, out, null);
      break;
    case "RetrieveAndGenerate":
    case "RetrieveAndGenerateStream":
      collect(body.input, out, null);
      break;
    case "CountTokens":
      collect(countTokensInput(body.input), out, null);
      break;
    case "CreateChatCompletion":
      collect({ messages: body.messages }, out, null);
      break;
    case "CreateMessage":
      collect({ system: body.system, messages: body.messages }, out, null);
      break;
    case "CreateResponse":
      if (typeof body.instructions === "string") out.push(body.instructions);
      if (typeof body.input === "string") out.push(body.input);
      else collect(body.input, out, null);
      break;
    case "ApplyGuardrail":
      collect(body.content, out, null);
      break;
    default:
      collect(body, out, null);
  }
  return out.join(" ");
}

// CountTokens wraps either a Converse request or a base64 InvokeModel body.
function countTokensInput(input: unknown): unknown {
  if (!isObject(input)) return undefined;
  if (isObject(input.converse)) return { messages: input.converse.messages, system: input.converse.system };
  if (isObject(input.invokeModel) && typeof input.invokeModel.body === "string") {
    try {
      return JSON.parse(atob(input.invokeModel.body));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
