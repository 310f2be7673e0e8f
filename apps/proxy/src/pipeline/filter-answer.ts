import { controlPlaneAnswerFilters } from "../policy/control-plane-answers.ts";
import { errorMessage } from "../error-message.ts";
import { isObject, parseJson } from "../usage/json.ts";
import type { BedrockCall } from "./context.ts";
import type { Forwarded } from "./forward.ts";
import { refuse, type Refusal } from "./refusal.ts";

/** Control-plane answers are small (ListFoundationModels: a few hundred KB); anything larger is not filtered but refused. */
const MAX_FILTERED_BYTES = 8 * 1024 * 1024;

/**
 * For a key limited to some models, a control-plane list is read whole and rewritten to the entries the key may
 * see (the one place the gateway changes an answer; every other answer is relayed byte for byte). Other keys,
 * other operations and error answers pass untouched.
 */
export async function filterControlPlaneAnswer(call: BedrockCall, forwarded: Forwarded): Promise<Forwarded | Refusal> {
  const { principal, route } = call;
  if (route.service !== "bedrock" || principal.kind !== "virtual" || principal.key.models.length === 0) return forwarded;
  const filter = controlPlaneAnswerFilters[route.operation?.operationId ?? ""];
  const { upstream } = forwarded;
  if (!filter || upstream.status !== 200) return forwarded;

  const fail = (refusal: Refusal) => {
    forwarded.release();
    forwarded.abort.abort();
    return refusal;
  };
  if (Number(upstream.headers.get("content-length") ?? 0) > MAX_FILTERED_BYTES) {
    return fail(refuse.badGateway(`The control-plane answer is larger than the ${MAX_FILTERED_BYTES} bytes the gateway filters for a key with a models list.`));
  }
  let answer: unknown;
  try {
    const bytes = new Uint8Array(await upstream.arrayBuffer());
    if (bytes.byteLength > MAX_FILTERED_BYTES) throw new Error(`larger than ${MAX_FILTERED_BYTES} bytes`);
    answer = parseJson(bytes);
  } catch (error) {
    return fail(refuse.badGateway(`The control-plane answer could not be filtered for this key: ${errorMessage(error)}`));
  }
  if (!isObject(answer)) return fail(refuse.badGateway("The control-plane answer is not a JSON object; it cannot be filtered for this key."));
  const filtered = filter(answer, principal.key.models);
  if ("hide" in filtered) return fail(refuse.accessDenied(filtered.hide));

  const headers = new Headers(upstream.headers);
  const rewritten = new TextEncoder().encode(JSON.stringify(filtered.keep));
  headers.set("content-length", String(rewritten.byteLength));
  return { ...forwarded, upstream: new Response(rewritten, { status: upstream.status, statusText: upstream.statusText, headers }) };
}
