import { readFileSync } from "node:fs";
import { errorMessage } from "./error-message.ts";

/**
 * A setting given as inline JSON (starting with `{`) or as the path of a JSON file: the value parsed, or an Error
 * naming the variable and what is wrong (unreadable file, invalid JSON, not an object).
 */
export function readJsonSetting(name: string, value: string): Record<string, unknown> {
  let text = value;
  if (!value.trimStart().startsWith("{")) {
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      throw new Error(`${name}: cannot read ${value}: ${errorMessage(error)}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}
