/**
 * The model id a `/model/{modelId}/...` call names, decoded exactly once, as Bedrock decodes its path label.
 * Anything that could read differently to the gateway and to Bedrock (or to a proxy between them) is refused
 * rather than checked: a second level of encoding, a `/` outside an ARN's resource part, `..`, controls.
 */
export type ModelIdCheck = { ok: true; id: string } | { ok: false; reason: string };

/** `arn:<partition>:bedrock:<region>:<account>:<resource-type>/<resource-id>`: the only place a `/` may appear. */
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:[a-z-]+\/[^/]+$/;

export function checkModelId(rawLabel: string): ModelIdCheck {
  let id: string;
  try {
    id = decodeURIComponent(rawLabel);
  } catch {
    return { ok: false, reason: "malformed percent-encoding" };
  }
  return checkModelName(id);
}

/** The same checks for a model named as is (the OpenAI-compatible routes' JSON `model`), not in a path label. */
export function checkModelName(id: string): ModelIdCheck {
  if (id === "") return { ok: false, reason: "empty" };
  if (id.length > 2048) return { ok: false, reason: "longer than 2048 characters" };
  if (/[\u0000-\u001f\u007f\\%\s]/.test(id)) return { ok: false, reason: "control characters, spaces, backslashes or a second level of percent-encoding" };
  if (id.split("/").some((part) => part === ".." || part === ".")) return { ok: false, reason: "relative path segments" };
  if (id.includes("/") && !BEDROCK_ARN.test(id)) return { ok: false, reason: "a '/' outside a Bedrock ARN's resource part" };
  return { ok: true, id };
}
