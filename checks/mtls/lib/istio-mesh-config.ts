// Istio's mesh config (ConfigMap `istio`, key `mesh`) names the root namespace whose selector-less
// PeerAuthentications and AuthorizationPolicies apply mesh-wide, and the trust domain principals
// are read in (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ rootNamespace,
// trustDomain). The collector reads it by name, so an unreadable `configmaps` kind means both are
// unknown, and Istio's defaults (istio-system, cluster.local) cannot stand in for them: a STRICT
// PeerAuthentication in istio-system is mesh-wide only when istio-system is the root.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { istioPresent, meshConfigMapRefs } from '../../../src/analysis/mesh/index.ts';

export const ISTIO_MESH_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when Istio is installed: its mesh config (ConfigMap istio: rootNamespace, trustDomain)',
  holds(ctx) {
    if (!istioPresent(ctx)) return undefined;
    // The ConfigMap the collector asks for first (meshConfigMapRefs).
    const ref = meshConfigMapRefs(ctx.config).find((r) => r.name === 'istio')!;
    return `Istio's mesh config (ConfigMap ${ref.namespace}/${ref.name}: rootNamespace, trustDomain)`;
  },
};
