// Gateway API ReferenceGrants: whether an object may refer to one in another namespace
// (https://gateway-api.sigs.k8s.io/api-types/referencegrant/). A grant lives in the target's
// namespace; a reference is allowed when one of its `from` entries names the referring object's
// group, kind and namespace, and one of its `to` entries the target's group and kind, and its
// name when the entry gives one.

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';

export interface GrantParty { group: string; kind: string; namespace: string; name?: string }

const grantsByNamespace = memoize((snapshot: Snapshot): Map<string, KubeObject[]> => {
  const m = new Map<string, KubeObject[]>();
  for (const g of snapshot.resources['gatewayapi.referencegrants'] ?? []) {
    const ns = g.metadata?.namespace ?? 'default';
    const list = m.get(ns);
    if (list) list.push(g);
    else m.set(ns, [g]);
  }
  return m;
}, ['network', 'tls']);

/** Whether a ReferenceGrant in `to.namespace` lets `from` refer to `to`; always true within one namespace. */
export function referenceGrantAllows(snapshot: Snapshot, from: GrantParty, to: GrantParty): boolean {
  if (from.namespace === to.namespace) return true;
  return (grantsByNamespace(snapshot).get(to.namespace) ?? []).some((g) => {
    const spec = obj(g.spec);
    const fromOk = arr(spec?.from).map(obj).some((f) => !!f && (str(f.group) ?? '') === from.group && str(f.kind) === from.kind && str(f.namespace) === from.namespace);
    const toOk = arr(spec?.to).map(obj).some((t) => !!t && (str(t.group) ?? '') === to.group && str(t.kind) === to.kind && (str(t.name) === undefined || str(t.name) === to.name));
    return fromOk && toOk;
  });
}
