// Which workloads an update or patch limited by resourceNames can change. Such a rule allows a
// request only on the objects it names
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and a
// change to one that does not exist makes none: a plain patch or an update answers NotFound (the
// workload kinds' registry strategies do not allow create on update), and a server-side apply
// that would create it is authorized as create on that name (kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, createAuthorizerAttributes),
// which update and patch do not grant. So only a complete live listing can prove that none of
// the named workloads exists; from manifests, or a listing that could not be read, one may.
import { memoize } from '../../../src/analysis/memo.ts';
import { KINDS, type KindKey } from '../../../src/snapshot/kinds.ts';
import { coverageOk, resourcesOf, type Snapshot } from '../../../src/snapshot/types.ts';

interface Index {
  /** Name -> the namespaces holding a workload of the kind by that name. */
  namespaces: ReadonlyMap<string, readonly string[]>;
  /** "NS/NAME" of each. */
  keys: ReadonlySet<string>;
}

/** Per workload kind, built on its first question (only rules limited by resourceNames ask). */
const byName = memoize((snapshot: Snapshot) => {
  const perKind = new Map<string, Index>();
  return (resource: string): Index => {
    let out = perKind.get(resource);
    if (out) return out;
    const namespaces = new Map<string, string[]>();
    const keys = new Set<string>();
    for (const o of resourcesOf(snapshot, resource as KindKey)) {
      const { name, namespace } = o.metadata ?? {};
      if (typeof name !== 'string' || typeof namespace !== 'string') continue;
      (namespaces.get(name) ?? namespaces.set(name, []).get(name)!).push(namespace);
      keys.add(`${namespace}/${name}`);
    }
    perKind.set(resource, (out = { namespaces, keys }));
    return out;
  };
}, 'rbac');

/** Whether a live cluster's listing of `resource` was read whole: a workload missing from it does not exist now. */
const listedWhole = (snapshot: Snapshot, resource: string) => snapshot.origin === 'live' && coverageOk(snapshot, resource as KindKey);

/**
 * The namespaces where a workload of `resource` named one of `names` exists (sorted), for a
 * rule held cluster-wide; undefined when the snapshot cannot tell (every namespace may hold one).
 */
export function namespacesOfNamed(snapshot: Snapshot, resource: string, names: readonly string[]): string[] | undefined {
  if (!listedWhole(snapshot, resource)) return undefined;
  const { namespaces } = byName(snapshot)(resource);
  return [...new Set(names.flatMap((n) => namespaces.get(n) ?? []))].sort();
}

/**
 * What the step of changing the workloads `names` of `resource` in `ns` to run as an account
 * holds on: 'none' when a complete live listing shows none of them exists (no step); otherwise
 * the text a message puts in the step's parentheses, naming those that exist, or saying that
 * it holds only if one exists when the snapshot cannot tell.
 */
export function namedWorkloadsIn(snapshot: Snapshot, resource: string, names: readonly string[], ns: string): 'none' | string {
  const { keys } = byName(snapshot)(resource);
  const sorted = [...new Set(names)].sort();
  const existing = sorted.filter((n) => keys.has(`${ns}/${n}`));
  const kind = KINDS.find((k) => k.key === resource)?.kind ?? resource;
  const list = (xs: readonly string[]) => xs.map((n) => `${ns}/${n}`).join(', ');
  const what = (xs: readonly string[]) => (xs.length === 1 ? `${kind} ${list(xs)}` : `${resource} ${list(xs)}`);
  if (existing.length > 0) return `only ${what(existing)}, which its resourceNames name`;
  if (listedWhole(snapshot, resource)) return 'none';
  const why = snapshot.origin === 'live' ? `${resource} could not be read (${snapshot.coverage[resource as KindKey]?.status ?? 'not collected'})` : 'not in the input';
  return `only ${what(sorted)}, which its resourceNames name, ${why}: this holds only if ${sorted.length === 1 ? 'it exists' : 'one of them exists'}`;
}
