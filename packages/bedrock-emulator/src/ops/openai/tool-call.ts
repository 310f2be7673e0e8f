/**
 * The emulator's deterministic function calling for the OpenAI-compatible APIs: offered tools and not yet given
 * a tool's result, it calls the first tool, with arguments sampled from its JSON schema as Converse's tool use does.
 */
import type { JsonObject } from "../../context.ts";
import { sampleInput } from "../runtime/tool-use.ts";

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
  return { id: `call_emulator_${fn.name}`, name: fn.name, arguments: JSON.stringify(sampleInput(fn.parameters)) };
}
