// Which ServiceAccounts exist, as a live listing tells: apart from common.ts so that the
// cluster-admin paths, which common.ts's powerful accounts read, can ask it too.
import { memoize } from '../../../src/analysis/memo.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { coverageOk, resourcesOf } from '../../../src/snapshot/types.ts';

/**
 * The ServiceAccounts a live cluster listed ("NS/NAME") and the namespaces that listing covers (a
 * namespace is known when it lists any account of it: every namespace has its `default`). Only a
 * live listing proves an account missing: manifests seldom hold every ServiceAccount (a chart,
 * Terraform or the namespace controller's `default` makes the others), so from manifests, or an
 * unreadable list, both are empty and no account is missing.
 */
export const listedServiceAccounts = memoize((snapshot: Snapshot): { existing: ReadonlySet<string>; knownNamespaces: ReadonlySet<string> } => {
  const existing = new Set<string>();
  const knownNamespaces = new Set<string>();
  if (snapshot.origin === 'live' && coverageOk(snapshot, 'serviceaccounts')) {
    for (const o of resourcesOf(snapshot, 'serviceaccounts')) {
      const { name, namespace } = o.metadata ?? {};
      if (typeof name !== 'string' || typeof namespace !== 'string') continue;
      existing.add(`${namespace}/${name}`);
      knownNamespaces.add(namespace);
    }
  }
  return { existing, knownNamespaces };
}, 'rbac');

/** Whether a live listing shows that the account "NS/NAME" a grant names does not exist. */
export function accountMissing(snapshot: Snapshot, key: string, namespace: string): boolean {
  const { existing, knownNamespaces } = listedServiceAccounts(snapshot);
  return knownNamespaces.has(namespace) && !existing.has(key);
}

/**
 * Whether namespace `ns` exists, as the snapshot can tell: 'exists' when it is among the input's
 * Namespaces or holds one of its Roles, RoleBindings or ServiceAccounts; 'missing' only when a
 * live cluster's Namespaces were read and it is none of those; 'unknown' when that list does not
 * prove it absent (manifests seldom declare every namespace, an
 * unreadable list proves nothing). An object cannot be created in a namespace that does not exist
 * (the NamespaceLifecycle admission plugin rejects it:
 * https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#namespacelifecycle),
 * so no ServiceAccount, pod or token is there to act as until someone creates the namespace.
 */
export function namespaceState(snapshot: Snapshot, ns: string): 'exists' | 'missing' | 'unknown' {
  const { listed, complete } = namespacesListed(snapshot);
  return listed.has(ns) || ALWAYS_THERE.has(ns) ? 'exists' : complete ? 'missing' : 'unknown';
}

/** The namespaces the API server makes and keeps in every cluster (kubernetes pkg/controlplane/controller/systemnamespaces; `default` by the apiserver itself). */
const ALWAYS_THERE: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

const namespacesListed = memoize((snapshot: Snapshot): { listed: ReadonlySet<string>; complete: boolean } => {
  const listed = new Set<string>();
  for (const o of resourcesOf(snapshot, 'namespaces')) {
    const name = o.metadata?.name;
    if (typeof name === 'string') listed.add(name);
  }
  // An object in a namespace shows it exists, whether or not the Namespaces could be read.
  for (const kind of ['roles', 'rolebindings', 'serviceaccounts'] as const) {
    for (const o of resourcesOf(snapshot, kind)) {
      const ns = o.metadata?.namespace;
      if (typeof ns === 'string') listed.add(ns);
    }
  }
  return { listed, complete: snapshot.origin === 'live' && coverageOk(snapshot, 'namespaces') };
}, 'rbac');
