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
