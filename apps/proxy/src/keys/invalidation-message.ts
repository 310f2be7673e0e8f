/**
 * What travels on the invalidation channel: `<instance>:<token>`. The publishing instance has already dropped its
 * own entry when it publishes, so it ignores its own echo: the echo can arrive after the entry was read again
 * (the round trip is slow under load) and would throw away the fresh read, the one a database outage falls back on.
 */
const instance = crypto.randomUUID();

export function invalidationMessage(token: string): string {
  return `${instance}:${token}`;
}

/** The token a message names, or undefined for this instance's own echo. Bare tokens (no colon) are accepted. */
export function invalidatedToken(message: string): string | undefined {
  const colon = message.indexOf(":");
  if (colon === -1) return message;
  return message.slice(0, colon) === instance ? undefined : message.slice(colon + 1);
}
