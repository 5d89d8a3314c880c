import type { Check } from '../../src/engine/types.ts';
import { edgeWaf } from '../../src/analysis/edge/guards.ts';
import { istioRoot } from '../../src/analysis/mesh/index.ts';
import { EDGE_WAF } from '../controls.ts';
import { EDGE_BEST_EFFORT, EDGE_NEEDS, EDGE_READS, guardUnjudged, guardVerdicts } from './lib/edge-guard.ts';
import { NGINX_SERVING_CONFIG_READ } from './lib/nginx-config-read.ts';
import { ISTIO_MESH_CONFIG_READ } from '../mtls/lib/istio-mesh-config.ts';
import { CNI_SETTINGS_READS } from '../network/lib/cni-settings.ts';
import { ENFORCED_POLICY_KINDS_READ } from '../network/lib/policy-kinds.ts';

export const edgeWafMissing: Check = {
  id: 'tls.edge-waf-missing',
  area: 'tls',
  title: 'A web application firewall inspects what the edge exposes',
  protectsAgainst: 'injection and other OWASP Top 10 attacks reaching exposed backends uninspected: no ingress-nginx ModSecurity with the OWASP Core Rule Set (controller ConfigMap enable-modsecurity + enable-owasp-modsecurity-crs, or per-Ingress annotations enable-modsecurity/enable-owasp-core-rules, where enable-modsecurity: "false" turns the engine of the ConfigMap off for that Ingress), no Coraza/ModSecurity engine found by name in the controller, a Traefik plugin or an Istio EnvoyFilter, and no WAF declared outside the cluster',
  severity: 'low',
  controls: EDGE_WAF,
  remediation: 'Enable a WAF at the edge: for ingress-nginx set enable-modsecurity: "true" and enable-owasp-modsecurity-crs: "true" in the controller ConfigMap (or nginx.ingress.kubernetes.io/enable-modsecurity + enable-owasp-core-rules on the Ingress) and SecRuleEngine On to block; a Coraza plugin Middleware for Traefik on every route of the host, or in the http.middlewares of every entryPoint it is served on; a Coraza Wasm/EnvoyFilter for Istio. If a WAF in front of the cluster (CDN, cloud WAF) already filters the traffic, name it in edge.externalWaf.',
  needs: EDGE_NEEDS,
  reads: EDGE_READS,
  // By-name ConfigMaps: the controllers' (global-auth-url, limits, ModSecurity), Istio's root namespace (policies selecting the gateway), Cilium's settings; and the policy kinds the CNI may enforce (both decide what reaches the backends).
  readsWhen: [NGINX_SERVING_CONFIG_READ, ISTIO_MESH_CONFIG_READ, ...CNI_SETTINGS_READS, ...ENFORCED_POLICY_KINDS_READ],
  readsBestEffort: EDGE_BEST_EFFORT,
  evaluate(ctx) {
    const root = istioRoot(ctx.snapshot, ctx.config).namespace;
    const external = ctx.config.edge.externalWaf;
    return guardVerdicts(ctx, 'WAF', (h) => edgeWaf(ctx.snapshot, h, root), () => (external ? `a WAF outside the cluster is declared in edge.externalWaf (${external})` : undefined));
  },
  excluded(ctx) {
    if (ctx.config.edge.externalWaf) return undefined;
    const root = istioRoot(ctx.snapshot, ctx.config).namespace;
    return guardUnjudged(ctx, (h) => edgeWaf(ctx.snapshot, h, root));
  },
};
