// An Istio Gateway server in SIMPLE, MUTUAL or OPTIONAL_MUTUAL mode takes meshConfig.tlsDefaults
// (cipherSuites, minProtocolVersion) where it sets none of its own (istio/istio
// pilot/pkg/networking/core/listener.go applyDownstreamTLSDefaults). The mesh config is ConfigMap
// `istio` (`istio-<rev>` for the revision configuring the gateway, istioGatewayRevision), which the
// collector reads by name: only when it is missing while a by-name read failed
// (istioMeshConfigUnread) are the defaults unknown. A Gateway API listener of Istio's class is such a
// server (istioGatewayApiServers).
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { istioMeshConfigUnread } from '../../../src/analysis/mesh/configmaps.ts';
import { istioGatewayApiServers, istioGatewayServers, ISTIO_CIPHER_MODES } from '../../../src/analysis/tls/index.ts';
import { istioGatewayRevision } from '../../../src/analysis/tls/istio.ts';

export const ISTIO_TLS_DEFAULTS_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an Istio Gateway server, or a Gateway API listener of Istio\'s class, terminates TLS (SIMPLE, MUTUAL, OPTIONAL_MUTUAL): the mesh config of the revision configuring its gateway (ConfigMap istio, istio-<rev>: tlsDefaults)',
  holds(ctx) {
    const revisions = new Set([...istioGatewayServers(ctx.snapshot).judged, ...istioGatewayApiServers(ctx.snapshot)].filter((s) => ISTIO_CIPHER_MODES.has(s.mode)).map((s) => istioGatewayRevision(ctx.snapshot, s.gateway).revision));
    for (const revision of [...revisions].sort()) {
      const unread = istioMeshConfigUnread(ctx.snapshot, ctx.config, revision);
      if (unread) return `Istio's mesh config (ConfigMap ${unread.ref.namespace}/${unread.ref.name}: tlsDefaults)`;
    }
    return undefined;
  },
};
