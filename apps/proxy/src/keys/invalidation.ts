import { log } from "../log.ts";
import type { Sql } from "../store/postgres/connection.ts";
import { invalidationMessages } from "./invalidation-message.ts";

/**
 * Tells every gateway instance that a key changed, so cached lookups are dropped at once.
 * In-process for SQLite; LISTEN/NOTIFY on PostgreSQL; Redis pub/sub with REDIS_URL (`redis-invalidation.ts`).
 */
export interface KeyInvalidation {
  /** Announces a changed key (token hash) to all instances, this one included. */
  publish(token: string): Promise<void>;
  /** `token` null means "anything may have changed" (e.g. after a reconnect missed messages). */
  subscribe(listener: (token: string | null) => void): void;
  close(): Promise<void>;
}

export function localInvalidation(): KeyInvalidation {
  const listeners: ((token: string | null) => void)[] = [];
  return {
    async publish(token) {
      for (const listener of listeners) listener(token);
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async close() {},
  };
}

export const INVALIDATION_CHANNEL = "gateway_key_invalidate";

/**
 * NOTIFY reaches every LISTENing instance (this one too) within milliseconds; this instance also drops its own
 * entry directly, without waiting for the round trip. When the listening connection comes back after a drop,
 * messages sent meanwhile are lost, so everything is flushed.
 */
export async function postgresInvalidation(sql: Sql): Promise<KeyInvalidation> {
  const listeners: ((token: string | null) => void)[] = [];
  const messages = invalidationMessages();
  const emit = (token: string | null) => {
    for (const listener of listeners) listener(token);
  };
  let connects = 0;
  const subscription = await sql.listen(INVALIDATION_CHANNEL, (payload) => {
    const token = messages.decode(payload);
    if (token !== undefined) emit(token);
  }, () => {
    if (connects++ === 0) return;
    log.warn("key invalidation channel reconnected; flushing the key cache");
    emit(null);
  });
  return {
    async publish(token) {
      emit(token);
      await sql.notify(INVALIDATION_CHANNEL, messages.encode(token));
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async close() {
      await subscription.unlisten();
    },
  };
}
