import type { Check } from '../../src/engine/types.ts';
import { edgeRateLimit } from '../../src/analysis/edge/guards.ts';
import { istioRoot } from '../../src/analysis/mesh/index.ts';
import { EDGE_RATE_LIMIT } from '../controls.ts';
import { EDGE_BEST_EFFORT, EDGE_NEEDS, EDGE_READS, guardUnjudged, guardVerdicts } from './lib/edge-guard.ts';
import { NGINX_SERVING_CONFIG_READ } from './lib/nginx-config-read.ts';
import { ISTIO_MESH_CONFIG_READ } from '../mtls/lib/istio-mesh-config.ts';
import { CNI_SETTINGS_READS } from '../network/lib/cni-settings.ts';
import { ENFORCED_POLICY_KINDS_READ } from '../network/lib/policy-kinds.ts';

export const edgeRateLimitMissing: Check = {
  id: 'tls.edge-rate-limit-missing',
  area: 'tls',
  title: 'Hosts exposed at the edge are rate limited',
  protectsAgainst: 'credential stuffing, scraping and request floods reaching the backend unthrottled: no ingress-nginx limit-rps/limit-rpm/limit-connections, no Traefik RateLimit middleware on every route of the host, no Contour rateLimitPolicy, no Istio EnvoyFilter local rate limit on the gateway, no Envoy Gateway BackendTrafficPolicy rateLimit',
  severity: 'medium',
  controls: EDGE_RATE_LIMIT,
  remediation: 'Limit requests per client at the edge: ingress-nginx nginx.ingress.kubernetes.io/limit-rps (or limit-rpm, limit-connections); a Traefik RateLimit Middleware on every route of the host (each route of an IngressRoute runs only its own middlewares) or in the http.middlewares of every entryPoint the host is served on; Contour rateLimitPolicy on the virtualhost; an Istio EnvoyFilter adding envoy.filters.http.local_ratelimit to the ingress gateway; an Envoy Gateway BackendTrafficPolicy with rateLimit targeting the Gateway or route, every Gateway serving the host being of an Envoy Gateway GatewayClass (Envoy Gateway ignores its policies on other controllers\' Gateways).',
  needs: EDGE_NEEDS,
  reads: EDGE_READS,
  // By-name ConfigMaps: the controllers' (global-auth-url, limits, ModSecurity), Istio's root namespace (policies selecting the gateway), Cilium's settings; and the policy kinds the CNI may enforce (both decide what reaches the backends).
  readsWhen: [NGINX_SERVING_CONFIG_READ, ISTIO_MESH_CONFIG_READ, ...CNI_SETTINGS_READS, ...ENFORCED_POLICY_KINDS_READ],
  readsBestEffort: EDGE_BEST_EFFORT,
  evaluate(ctx) {
    const root = istioRoot(ctx.snapshot, ctx.config).namespace;
    return guardVerdicts(ctx, 'rate limit', (h) => edgeRateLimit(ctx.snapshot, h, root));
  },
  excluded(ctx) {
    const root = istioRoot(ctx.snapshot, ctx.config).namespace;
    return guardUnjudged(ctx, (h) => edgeRateLimit(ctx.snapshot, h, root));
  },
};
