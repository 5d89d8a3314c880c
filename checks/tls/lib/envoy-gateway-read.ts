// Envoy Gateway ClientTrafficPolicies set the TLS of the Gateway listeners they target
// (src/analysis/tls/envoy-gateway.ts): the Gateways and their GatewayClasses are inputs only
// where such a policy exists.
import type { ConditionalRead } from '../../../src/engine/types.ts';

export const ENVOY_GATEWAY_TARGETS_READ: ConditionalRead = {
  kinds: ['gatewayapi.gateways', 'gatewayapi.gatewayclasses'],
  when: 'when an Envoy Gateway ClientTrafficPolicy exists: the Gateways it targets and their GatewayClasses (its TLS settings apply to their listeners)',
  holds(ctx) {
    const p = (ctx.snapshot.resources['envoygateway.clienttrafficpolicies'] ?? [])[0];
    return p ? `the Gateway listeners Envoy Gateway ClientTrafficPolicy ${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''} sets the TLS of` : undefined;
  },
};
