/**
 * The emulator's deterministic function calling for the OpenAI-compatible APIs: offered tools and not yet given
 * a tool's result, it calls the first tool, with arguments made from its JSON schema's properties.
 */
import type { JsonObject } from "../../context.ts";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the API sends it. */
  arguments: string;
}

/** `tools` entries as Chat Completions (`{type, function: {name, parameters}}`) or Responses (`{type, name, parameters}`) send them. */
export function toolCallFor(body: JsonObject, toolResultGiven: boolean): ToolCall | null {
  if (toolResultGiven || body.tool_choice === "none" || !Array.isArray(body.tools)) return null;
  const tool = body.tools.find((t) => isObject(t) && t.type === "function");
  if (!isObject(tool)) return null;
  const fn = isObject(tool.function) ? tool.function : tool;
  if (typeof fn.name !== "string") return null;
  return { id: `call_emulator_${fn.name}`, name: fn.name, arguments: JSON.stringify(argumentsFor(fn.parameters)) };
}

function argumentsFor(schema: unknown): JsonObject {
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const args: JsonObject = {};
  for (const [name, property] of Object.entries(properties)) {
    const type = isObject(property) ? property.type : undefined;
    const choices = isObject(property) && Array.isArray(property.enum) ? property.enum : null;
    args[name] = choices ? choices[0] : type === "number" || type === "integer" ? 1 : type === "boolean" ? true : "emulator";
  }
  return args;
}
