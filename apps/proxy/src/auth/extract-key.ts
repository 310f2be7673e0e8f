/**
 * A gateway key, from the headers clients actually send. A SigV4 Authorization (boto3 or the AWS CLI with
 * placeholder credentials) carries no key of ours, so the key then comes from one of the other headers.
 */
export function extractKey(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  if (authorization && !authorization.startsWith("AWS4-")) {
    const bearer = stripBearer(authorization);
    if (bearer) return bearer;
  }
  for (const name of ["x-litellm-api-key", "x-api-key", "litellm_user_api_key"]) {
    const value = headers.get(name);
    if (value) {
      const key = stripBearer(value);
      if (key) return key;
    }
  }
  return null;
}

function stripBearer(value: string): string | null {
  const trimmed = value.trim();
  const key = /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, "") : trimmed;
  return key === "" ? null : key;
}
