/**
 * Which client headers go upstream (and get signed), and which upstream headers come back.
 * Upstream is an allow-list: only headers that are Bedrock API parameters. Forwarding a client's own auth,
 * signing or x-forwarded-* headers would leak secrets or break the signature we compute.
 */
// `anthropic-version` and `anthropic-beta` are parameters of the Anthropic Messages API (/anthropic/v1/messages).
const forwardedExact = new Set(["content-type", "accept", "content-encoding", "x-amz-source-arn", "x-amzn-client-token", "anthropic-version", "anthropic-beta"]);
const forwardedPrefixes = ["x-amzn-bedrock-", "x-amz-bedrock-"];

export function upstreamHeaders(client: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  client.forEach((value, name) => {
    if (forwardedExact.has(name) || forwardedPrefixes.some((p) => name.startsWith(p))) out[name] = value;
  });
  return out;
}

// Per-hop headers describe this connection, not the answer; the runtime sets its own.
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "set-cookie",
]);

export function downstreamHeaders(upstream: Headers): Headers {
  // A native copy minus a few names: cheaper than appending header by header on every call.
  const out = new Headers(upstream);
  for (const name of hopByHop) out.delete(name);
  return out;
}
