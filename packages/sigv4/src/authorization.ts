/** Parses the SigV4 `Authorization` header into its parts; shape errors become AWS errors. */
import { incompleteSignature as incomplete, SigV4Error } from "./errors.ts";

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string; // YYYYMMDD from the credential scope
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

export function parseAuthorization(header: string | null): ParsedAuthorization {
  if (header === null || header.trim() === "") {
    throw new SigV4Error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme !== ALGORITHM) {
    // Bearer API keys and other schemes are not accepted: the proxy must re-sign with SigV4.
    throw incomplete(`Authorization header requires '${ALGORITHM}' with 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${scheme}`);
  }
  const params = new Map<string, string>();
  for (const part of header.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    // Two values for one parameter: which one a verifier and a front proxy each read would be a guess.
    if (params.has(name)) throw incomplete(`Authorization header has more than one '${name}' parameter.`);
    params.set(name, part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((k) => !params.get(k));
  if (missing.length > 0) {
    throw incomplete(missing.map((k) => `Authorization header requires '${k}' parameter.`).join(" ") + ` Authorization=${header}`);
  }
  const credential = params.get("Credential")!;
  const scope = credential.split("/");
  if (scope.length !== 5 || scope.some((s) => s === "")) {
    throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  const signature = params.get("Signature")!;
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw incomplete(`Signature must be 64 lowercase hex characters. Signature=${signature}`);
  }
  const signedHeaders = params.get("SignedHeaders")!.split(";");
  return { accessKeyId, date, region, service, terminator, signedHeaders, signature };
}
