/**
 * Sets `key` as the newest entry, first dropping the oldest when `map` already holds `max` others: for maps keyed
 * by what callers choose (tokens, end users, model ids), whose memory must stay bounded however many they make up.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.delete(key) && map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
