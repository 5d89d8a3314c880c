// Which service accounts exec, attach or an ephemeral container limited to named pods acts as.
// A rule limited by resourceNames allows a subresource request only on the objects it names (a
// create on pods/exec carries the pod's name:
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and a
// pod runs as one account, so such a grant acts as the accounts of the pods it names alone.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { memoize } from '../../../src/analysis/memo.ts';
import { podServiceAccount } from '../../../src/analysis/workloads.ts';
import { coverageOk, resourcesOf, type Snapshot } from '../../../src/snapshot/types.ts';

interface PodAccounts {
  /** "NS/NAME" of each pod of the snapshot -> the account it runs as. */
  byPod: ReadonlyMap<string, string>;
  /**
   * A live cluster's pods were all read: a pod missing from them does not exist now. Otherwise
   * (manifests hold templates, not the pods a StatefulSet makes; an unreadable list) a missing
   * pod may exist and run as any account.
   */
  complete: boolean;
}

const podAccounts = memoize((snapshot: Snapshot): PodAccounts => {
  const byPod = new Map<string, string>();
  for (const o of resourcesOf(snapshot, 'pods')) {
    const { name, namespace } = o.metadata ?? {};
    if (typeof name !== 'string' || typeof namespace !== 'string') continue;
    const spec = (o as { spec?: unknown }).spec;
    byPod.set(`${namespace}/${name}`, podServiceAccount(spec && typeof spec === 'object' ? spec as Record<string, unknown> : {}));
  }
  return { byPod, complete: snapshot.origin === 'live' && coverageOk(snapshot, 'pods') };
}, 'rbac');

export interface NamedPodsReach {
  /** The accounts the named pods that exist run as. */
  accounts: string[];
  /** Named pods a live cluster's complete listing does not hold: none now, but whoever can create pods there can make one by that name. */
  missing: string[];
  /** A named pod the snapshot cannot tell about (not a complete live listing): it may run as any account. */
  unknown: boolean;
}

/** What exec into the pods of `namespace` named `names` reaches. O(names). */
export function namedPodsReach(ctx: AuditContext, namespace: string, names: readonly string[]): NamedPodsReach {
  const { byPod, complete } = podAccounts(ctx.snapshot);
  const accounts = new Set<string>();
  const missing: string[] = [];
  let unknown = false;
  for (const n of names) {
    const sa = byPod.get(`${namespace}/${n}`);
    if (sa !== undefined) accounts.add(sa);
    else if (complete) missing.push(n);
    else unknown = true;
  }
  return { accounts: [...accounts], missing, unknown };
}
