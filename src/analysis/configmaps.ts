// The ConfigMaps the collector reads by name (ingress-nginx's --configmap, the meshes' own,
// cilium-config): one index per snapshot, so "was this one read?" is one lookup for every area.
// The collector keeps each ConfigMap it read and marks the whole kind forbidden or error when any
// one was refused or failed: a ConfigMap missing then may be the one refused, unless the API
// server answered 404 for that very name (Snapshot.configMapsNotFound): it does not exist, and the
// reader's upstream default applies. A name the collector never asked for stays unknown.
import type { KubeObject, Snapshot } from '../snapshot/types.ts';
import { memoize } from './memo.ts';

export interface ConfigMapRef { namespace: string; name: string }

const key = (namespace: string, name: string | undefined) => `${namespace}\u0000${name}`;

// The first ConfigMap of each namespace/name; one without a namespace is the default namespace's.
const configMapsByKey = memoize((snapshot: Snapshot): Map<string, KubeObject> => {
  const m = new Map<string, KubeObject>();
  for (const c of snapshot.resources.configmaps ?? []) {
    const k = key(c.metadata?.namespace ?? 'default', c.metadata?.name);
    if (!m.has(k)) m.set(k, c);
  }
  return m;
}, ['network', 'tls', 'mtls']);

/** The ConfigMap of that namespace and name, if the snapshot holds it. */
export function configMapRead(snapshot: Snapshot, ref: ConfigMapRef): KubeObject | undefined {
  return configMapsByKey(snapshot).get(key(ref.namespace, ref.name));
}

/**
 * 'forbidden' or 'error' when the collector could not read every ConfigMap it asked for (it reads
 * them by name, keeps the ones it read, and marks the whole kind when any one was refused or
 * failed); undefined when it read them all, each there or not.
 */
export function configMapsUnreadable(snapshot: Snapshot): 'forbidden' | 'error' | undefined {
  const status = snapshot.coverage.configmaps?.status;
  return status === 'forbidden' || status === 'error' ? status : undefined;
}

/**
 * Why a ConfigMap may be missing: 'forbidden' or 'error' when it is not in the snapshot while some
 * by-name read failed (it may be the one refused), undefined when it was read, when the API server
 * answered 404 for it (configMapNotFound), or when every read succeeded: in those two it does not
 * exist, and the upstream default applies.
 */
export function configMapUnread(snapshot: Snapshot, ref: ConfigMapRef): 'forbidden' | 'error' | undefined {
  const status = configMapsUnreadable(snapshot);
  return status && !configMapRead(snapshot, ref) && !configMapNotFound(snapshot, ref) ? status : undefined;
}

/**
 * Whether the collector asked for that ConfigMap by name and the API server answered that it does
 * not exist (Snapshot.configMapsNotFound): absent for certain, whatever other name was refused.
 */
export function configMapNotFound(snapshot: Snapshot, ref: ConfigMapRef): boolean {
  return configMapsNotFoundSet(snapshot).has(`${ref.namespace}/${ref.name}`);
}

/** Snapshot.configMapsNotFound as a set: one lookup per question, whichever reader asks it (per route, per controller). */
const configMapsNotFoundSet = memoize((snapshot: Snapshot): Set<unknown> => new Set(Array.isArray(snapshot.configMapsNotFound) ? snapshot.configMapsNotFound : []), ['network', 'tls', 'mtls']);
