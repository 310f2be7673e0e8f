/**
 * What travels on the invalidation channel: `<sender>:<token>`. The publishing instance has already dropped its
 * own entry when it publishes, so it ignores its own echo: the echo can arrive after the entry was read again
 * (the round trip is slow under load) and would throw away the fresh read, the one a database outage falls back on.
 */
export interface InvalidationMessages {
  /** The message announcing a change of `token`. */
  encode(token: string): string;
  /** The token a message names, or undefined for this sender's own echo. Bare tokens (no colon) are accepted. */
  decode(message: string): string | undefined;
}

/** One sender identity per invalidation channel object (an instance; several in one process in tests). */
export function invalidationMessages(): InvalidationMessages {
  const sender = crypto.randomUUID();
  return {
    encode: (token) => `${sender}:${token}`,
    decode(message) {
      const colon = message.indexOf(":");
      if (colon === -1) return message;
      return message.slice(0, colon) === sender ? undefined : message.slice(colon + 1);
    },
  };
}
