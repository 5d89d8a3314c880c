// Analyses are pure functions of their input object; checks of one area share one model
// per snapshot (or per context) through this identity-keyed memo.

/** The caches of the models that belong to one area's checks alone (see releaseModels). */
const AREA_CACHES = new Map<string, Array<WeakMap<object, unknown>>>();

/**
 * `area`: the model is read by that area's checks only (and by nothing that runs after them
 * without rebuilding it), so the audit may drop it once that area's last check ran.
 */
export function memoize<K extends object, V>(build: (key: K) => V, area?: string): (key: K) => V {
  const cache = new WeakMap<K, V>();
  if (area !== undefined) {
    const caches = AREA_CACHES.get(area) ?? [];
    caches.push(cache);
    AREA_CACHES.set(area, caches);
  }
  return (key: K) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = build(key);
    cache.set(key, value);
    return value;
  };
}

/**
 * Drops the models memoised for `key` that only `area`'s checks read: at 150k pods the
 * network and Pod Security models are hundreds of MiB that would otherwise stay alive
 * beside every later area's findings. A later read rebuilds (same result, more CPU).
 */
export function releaseModels(area: string, key: object): void {
  for (const cache of AREA_CACHES.get(area) ?? []) cache.delete(key);
}
