import { BadRequest } from "./errors.ts";
import { unstorableJson } from "./text.ts";

const MAX_BODY_CHARS = 64 * 1024;

/** The JSON object of an admin request's body (at most 64 KiB), or BadRequest. Its fields are the schema's to check. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) throw new BadRequest("The request body is larger than 64 KiB.");
  if (text.trim() === "") throw new BadRequest("The request needs a JSON object body.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest("The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BadRequest("The request body must be a JSON object.");
  const unstorable = unstorableJson(value);
  if (unstorable) throw new BadRequest(`The request body cannot be stored: ${unstorable}.`);
  return value as Record<string, unknown>;
}
