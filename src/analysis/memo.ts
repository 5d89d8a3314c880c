// Analyses are pure functions of their input object; checks of one area share one model
// per snapshot (or per context) through this identity-keyed memo.
import type { Config } from '../config/types.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { Area } from '../base/vocabulary.ts';

interface ModelCache {
  /** Where the model is memoised (file:line), for bench/heap.ts. */
  label: string;
  /** The areas whose checks (or report sections) read the model; none: kept for the whole audit. */
  readers?: ReadonlySet<Area>;
  cache: WeakMap<object, unknown>;
  /** How often it was built: more than once for one snapshot means it was released too early. */
  builds: number;
}

/** Every memoised model: a handful, registered once per module (never per snapshot). */
const CACHES: ModelCache[] = [];

function labelOfCaller(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  const line = lines.find((l) => !l.includes('/memo.ts') && !l.includes('/mesh/util.ts')) ?? '';
  const m = /(src\/analysis\/.*|checks\/.*):(\d+):\d+\)?$/.exec(line);
  return m ? `${m[1]}:${m[2]}` : line.trim();
}

/**
 * `readers`: the areas whose checks (and report sections, see details.ts) read the model;
 * the audit drops it once the last of them ended (releaseModels). A reader left out costs
 * a rebuild (same result, more CPU), never a wrong verdict; omitted, the model lives as
 * long as its key.
 */
export function memoize<K extends object, V>(build: (key: K) => V, readers?: Area | readonly Area[]): (key: K) => V {
  const entry: ModelCache = {
    label: labelOfCaller(),
    ...(readers !== undefined ? { readers: new Set<Area>(typeof readers === 'string' ? [readers] : readers) } : {}),
    cache: new WeakMap(),
    builds: 0,
  };
  CACHES.push(entry);
  const cache = entry.cache as WeakMap<K, V>;
  return (key: K) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = build(key);
    entry.builds++;
    cache.set(key, value);
    return value;
  };
}

/**
 * A model keyed by (snapshot, config) identity: checks of one run share it, and a caller
 * passing the same pair (e.g. the report writer) gets the same model back.
 */
export function memoizeBySnapshotAndConfig<V>(build: (snapshot: Snapshot, config: Config) => V, readers?: Area | readonly Area[]): (snapshot: Snapshot, config: Config) => V {
  const perSnapshot = memoize((snapshot: Snapshot) => {
    const inner = new WeakMap<Config, V>();
    return (config: Config): V => {
      if (inner.has(config)) return inner.get(config) as V;
      const v = build(snapshot, config);
      inner.set(config, v);
      return v;
    };
  }, readers);
  return (snapshot, config) => perSnapshot(snapshot)(config);
}

/**
 * Drops the models memoised for `ctx` (or its snapshot) that only the areas in `ended` read:
 * at 150k pods the network, RBAC and Pod Security models are hundreds of MiB that would
 * otherwise stay alive beside every later area's findings. A later read rebuilds.
 */
export function releaseModels(ended: ReadonlySet<string>, ctx: { snapshot: Snapshot }): void {
  for (const m of CACHES) {
    if (!m.readers || ![...m.readers].every((a) => ended.has(a))) continue;
    m.cache.delete(ctx);
    m.cache.delete(ctx.snapshot);
  }
}

/** The models alive for `ctx` (or its snapshot), with how often each was built: bench/heap.ts. */
export function modelsAlive(ctx: { snapshot: Snapshot }): Array<{ label: string; builds: number; readers?: string[] }> {
  return CACHES.filter((m) => m.cache.has(ctx) || m.cache.has(ctx.snapshot))
    .map((m) => ({ label: m.label, builds: m.builds, ...(m.readers ? { readers: [...m.readers] as string[] } : {}) }));
}

/** How often each model was built so far (bench/heap.ts warns when one was built twice for one snapshot). */
export function modelBuilds(): Array<{ label: string; builds: number }> {
  return CACHES.map((m) => ({ label: m.label, builds: m.builds }));
}
