import { log, warnAtMostEvery } from "../log.ts";
import type { RedisConnection } from "../redis/connection.ts";
import type { KeyInvalidation } from "./invalidation.ts";
import { invalidationMessages } from "./invalidation-message.ts";
import { errorMessage } from "../error-message.ts";

/**
 * Key invalidation over Redis pub/sub: `publisher` sends, a dedicated `subscriber` connection (pub/sub takes a
 * connection over) listens. This instance drops its own entry at once. When the subscriber comes back after an
 * outage, messages sent meanwhile are lost, so every cached key is dropped. While Redis is down, other instances
 * pick up a change when their cache entry expires (5 s).
 */
export async function redisInvalidation(options: { publisher: RedisConnection; subscriber: RedisConnection; prefix?: string }): Promise<KeyInvalidation> {
  const { publisher, subscriber } = options;
  const channel = `${options.prefix ?? "gw:"}key-invalidate`;
  const listeners: ((token: string | null) => void)[] = [];
  const messages = invalidationMessages();
  const emit = (token: string | null) => {
    for (const listener of listeners) listener(token);
  };

  let subscribedOnce = false;
  subscriber.client.on("message", (from: string, message: string) => {
    const token = from === channel ? messages.decode(message) : undefined;
    if (token !== undefined) emit(token);
  });
  // ioredis re-subscribes by itself after a reconnect; "ready" fires just before.
  subscriber.onChange((healthy) => {
    if (!healthy || !subscribedOnce) return;
    log.warn("key invalidation channel (redis) reconnected; flushing the key cache");
    emit(null);
  });
  try {
    if (subscriber.healthy) {
      await subscriber.client.subscribe(channel);
      subscribedOnce = true;
    } else throw new Error("not connected");
  } catch {
    // Subscribe as soon as the connection is up; nothing can have been cached before that anyway.
    subscriber.onChange((healthy) => {
      if (healthy && !subscribedOnce) {
        subscriber.client.subscribe(channel).then(() => (subscribedOnce = true), () => {});
      }
    });
  }

  const warn = warnAtMostEvery();
  let closed: Promise<void> | undefined;
  return {
    async publish(token) {
      emit(token);
      try {
        await publisher.client.publish(channel, messages.encode(token));
      } catch (error) {
        warn("cannot announce a key change over redis: other instances see it when their cache expires", { error: errorMessage(error) });
      }
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async close() {
      closed ??= subscriber.close();
      await closed;
    },
  };
}
