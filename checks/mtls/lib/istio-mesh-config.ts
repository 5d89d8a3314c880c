// Istio's mesh config (ConfigMap `istio`, key `mesh`) names the root namespace whose selector-less
// PeerAuthentications and AuthorizationPolicies apply mesh-wide, and the trust domain principals
// are read in (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ rootNamespace,
// trustDomain). The collector reads it by name, keeping what it read when another ConfigMap is
// refused: only when that ConfigMap is missing while a by-name read failed (istioMeshConfigUnread)
// are both unknown, and Istio's defaults (istio-system, cluster.local) cannot stand in for them: a
// STRICT PeerAuthentication in istio-system is mesh-wide only when istio-system is the root.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { istioPresent } from '../../../src/analysis/mesh/index.ts';
import { istioMeshConfigUnread } from '../../../src/analysis/mesh/configmaps.ts';

export const ISTIO_MESH_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when Istio is installed: its mesh config (ConfigMap istio: rootNamespace, trustDomain)',
  holds(ctx) {
    const unread = istioPresent(ctx) ? istioMeshConfigUnread(ctx.snapshot, ctx.config) : undefined;
    return unread ? `Istio's mesh config (ConfigMap ${unread.ref.namespace}/${unread.ref.name}: rootNamespace, trustDomain)` : undefined;
  },
};
