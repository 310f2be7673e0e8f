/**
 * Memoizes `create` by key, keeping at most `max` entries (all dropped when full). For values derived from what a
 * caller chooses, such as a region that is only shape-checked: a hostile caller must not grow memory without bound.
 */
export function boundedMemo<T>(create: (key: string) => T, max = 64): (key: string) => T {
  const entries = new Map<string, T>();
  return (key) => {
    let value = entries.get(key);
    if (value === undefined) {
      if (entries.size >= max) entries.clear();
      value = create(key);
      entries.set(key, value);
    }
    return value;
  };
}
