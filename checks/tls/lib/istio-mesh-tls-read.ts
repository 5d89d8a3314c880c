// An Istio Gateway server in SIMPLE, MUTUAL or OPTIONAL_MUTUAL mode takes meshConfig.tlsDefaults
// (cipherSuites, minProtocolVersion) where it sets none of its own (istio/istio
// pilot/pkg/networking/core/listener.go applyDownstreamTLSDefaults). The mesh config is ConfigMap
// `istio`, which the collector reads by name: only when it is missing while a by-name read failed
// (istioMeshConfigUnread) are the defaults unknown.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { istioMeshConfigUnread } from '../../../src/analysis/mesh/configmaps.ts';
import { istioGatewayServers, ISTIO_CIPHER_MODES } from '../../../src/analysis/tls/index.ts';

export const ISTIO_TLS_DEFAULTS_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an Istio Gateway server terminates TLS (SIMPLE, MUTUAL, OPTIONAL_MUTUAL): Istio\'s mesh config (ConfigMap istio: tlsDefaults)',
  holds(ctx) {
    if (!istioGatewayServers(ctx.snapshot).judged.some((s) => ISTIO_CIPHER_MODES.has(s.mode))) return undefined;
    const unread = istioMeshConfigUnread(ctx.snapshot, ctx.config);
    return unread ? `Istio's mesh config (ConfigMap ${unread.ref.namespace}/${unread.ref.name}: tlsDefaults)` : undefined;
  },
};
