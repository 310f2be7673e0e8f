/**
 * Converse / ConverseStream with `toolConfig`: the model answers with its text and then a `toolUse` block
 * (stopReason `tool_use`), as Claude does, unless the conversation's last message already returns a `toolResult`.
 * The tool is the one `toolChoice.tool` names, else the first; its input fills the schema's required properties.
 */
import type { OpContext } from "../../context.ts";
import type { StreamEvent } from "../../eventstream.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ToolUse {
  toolUseId: string;
  name: string;
  input: Json;
}

export function toolUseFor(ctx: OpContext): ToolUse | null {
  const config = ctx.body.toolConfig;
  if (!isObject(config) || !Array.isArray(config.tools)) return null;
  const specs = config.tools.map((t) => (isObject(t) && isObject(t.toolSpec) ? t.toolSpec : null)).filter((s): s is Json => s !== null && typeof s.name === "string");
  if (specs.length === 0 || answersToolResult(ctx.body.messages)) return null;
  const chosen = isObject(config.toolChoice) && isObject(config.toolChoice.tool) ? config.toolChoice.tool.name : undefined;
  const spec = specs.find((s) => s.name === chosen) ?? specs[0]!;
  const schema = isObject(spec.inputSchema) ? spec.inputSchema.json : undefined;
  return { toolUseId: `tooluse_${ctx.requestId.replaceAll("-", "").slice(0, 22)}`, name: spec.name as string, input: sampleInput(schema) };
}

/** The stream events of the tool-use block at `index`: start (id, name), the input as one JSON delta, stop. */
export function* toolUseEvents(tool: ToolUse, index: number): Generator<StreamEvent> {
  yield { eventType: "contentBlockStart", payload: { contentBlockIndex: index, start: { toolUse: { toolUseId: tool.toolUseId, name: tool.name } } } };
  yield { eventType: "contentBlockDelta", payload: { contentBlockIndex: index, delta: { toolUse: { input: JSON.stringify(tool.input) } } } };
  yield { eventType: "contentBlockStop", payload: { contentBlockIndex: index } };
}

function answersToolResult(messages: unknown): boolean {
  if (!Array.isArray(messages) || messages.length === 0) return false;
  const last = messages[messages.length - 1];
  return isObject(last) && Array.isArray(last.content) && last.content.some((block) => isObject(block) && "toolResult" in block);
}

/** A tool input that satisfies the JSON schema's required properties with sample values (the OpenAI routes use it too). */
export function sampleInput(schema: unknown): Json {
  if (!isObject(schema) || !isObject(schema.properties)) return {};
  const required = Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === "string") : Object.keys(schema.properties);
  const out: Json = {};
  for (const key of required) out[key] = sampleValue(schema.properties[key]);
  return out;
}

function sampleValue(schema: unknown): unknown {
  if (!isObject(schema)) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case "string":
      return "emulator";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [sampleValue(schema.items)];
    case "object":
      return sampleInput(schema);
    default:
      return null;
  }
}
