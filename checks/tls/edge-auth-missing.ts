import type { Check } from '../../src/engine/types.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import { EDGE_AUTH_BEST_EFFORT, edgeAuthentication, type ExposedHost } from '../../src/analysis/edge/guards.ts';
import { istioRoot } from '../../src/analysis/mesh/index.ts';
import { EDGE_AUTHENTICATION } from '../controls.ts';
import { EDGE_BEST_EFFORT, EDGE_NEEDS, EDGE_READS, guardUnjudged, guardVerdicts, publicHostMatch } from './lib/edge-guard.ts';
import { NGINX_SERVING_CONFIG_READ } from './lib/nginx-config-read.ts';
import { ISTIO_MESH_CONFIG_READ } from '../mtls/lib/istio-mesh-config.ts';
import { CNI_SETTINGS_READS } from '../network/lib/cni-settings.ts';
import { ENFORCED_POLICY_KINDS_READ } from '../network/lib/policy-kinds.ts';

function declaredPublic(ctx: AuditContext, h: ExposedHost): string | undefined {
  const m = publicHostMatch(h.host, ctx.config.edge.publicHosts);
  return m ? `declared public in edge.publicHosts (${m})` : undefined;
}

export const edgeAuthMissing: Check = {
  id: 'tls.edge-auth-missing',
  area: 'tls',
  title: 'Hosts exposed at the edge require authentication',
  protectsAgainst: 'anyone on the internet calling an exposed host (admin consoles, internal APIs) because nothing in front of it asks who they are: no ingress-nginx auth-url (auth-signin alone authenticates nothing) or auth-type or controller-wide global-auth-url or client certificates (auth-tls-secret with auth-tls-verify-client on), no oauth2-proxy in front of every path, no Traefik ForwardAuth/BasicAuth middleware on every route of the host nor TLSOption requiring verified client certificates (clientAuth with CA secretNames and clientAuthType RequireAndVerifyClientCert), no Istio RequestAuthentication with an AuthorizationPolicy requiring requestPrincipals on the gateway nor an Istio Gateway server with tls.mode MUTUAL, no Envoy Gateway SecurityPolicy, no Contour external authorization or JWT verification on every route',
  severity: 'high',
  controls: EDGE_AUTHENTICATION,
  remediation: 'Put authentication at the edge for every path of the host (an oauth2-proxy Service as the backend of /oauth2 guards only that path: the Ingress serving the rest needs auth-url and auth-signin pointing at it): ingress-nginx nginx.ingress.kubernetes.io/auth-url + auth-signin (e.g. to oauth2-proxy) or auth-type with auth-secret, or global-auth-url in the controller ConfigMap for every Ingress (without enable-global-auth: "false"), or client certificates with auth-tls-secret (auth-tls-verify-client on, the default) on an Ingress that terminates TLS for the host; a Traefik ForwardAuth/BasicAuth Middleware on every route of the host (Traefik gives each route of an IngressRoute only its own middlewares) or in the http.middlewares of every entryPoint the host is served on (entryPoints.<name>.http.middlewares=<namespace>-<name>@kubernetescrd, which Traefik runs ahead of every router on it), or a TLSOption with clientAuth (CA secretNames, clientAuthType RequireAndVerifyClientCert) in the route\'s tls.options; an Istio RequestAuthentication plus an AuthorizationPolicy requiring requestPrincipals on the ingress gateway, or tls.mode MUTUAL on the Istio Gateway servers of the host; an Envoy Gateway SecurityPolicy (jwt without optional: true, which admits requests without a token; oidc, extAuth, basicAuth) targeting the Gateway or route, every Gateway serving the host being of an Envoy Gateway GatewayClass (Envoy Gateway ignores its policies on other controllers\' Gateways); Contour virtualhost.authorization (no route opting out with authPolicy.disabled) or a default jwtProviders entry. If the host is meant to be public (a shop front page), list it in edge.publicHosts.',
  needs: EDGE_NEEDS,
  reads: EDGE_READS,
  // By-name ConfigMaps: the controllers' (global-auth-url, limits, ModSecurity), Istio's root namespace (policies selecting the gateway), Cilium's settings; and the policy kinds the CNI may enforce (both decide what reaches the backends).
  readsWhen: [NGINX_SERVING_CONFIG_READ, ISTIO_MESH_CONFIG_READ, ...CNI_SETTINGS_READS, ...ENFORCED_POLICY_KINDS_READ],
  // Traefik's TLSOptions only add client certificates as a guard: unread, the finding says so.
  readsBestEffort: [...EDGE_BEST_EFFORT, ...EDGE_AUTH_BEST_EFFORT],
  evaluate(ctx) {
    const root = istioRoot(ctx.snapshot, ctx.config).namespace;
    return guardVerdicts(ctx, 'authentication in front of it', (h) => edgeAuthentication(ctx.snapshot, h, root), (h) => declaredPublic(ctx, h));
  },
  excluded(ctx) {
    const root = istioRoot(ctx.snapshot, ctx.config).namespace;
    return guardUnjudged(ctx, (h) => edgeAuthentication(ctx.snapshot, h, root), (h) => declaredPublic(ctx, h));
  },
};
