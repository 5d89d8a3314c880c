// The SSL policy of a GKE load balancer (src/analysis/tls/gke.ts): a GKE Ingress naming a
// FrontendConfig takes that FrontendConfig's sslPolicy, a GKE Gateway the sslPolicy of the
// GCPGatewayPolicy targeting it. Where one exists, the kind is an input: unread (forbidden, an
// error), the policy is not known and the check is not evaluated; a CRD not installed is 'absent'
// (none), and the load balancer takes Google's default.
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { gkeIngressOf, gkeTlsGateways } from '../../../src/analysis/tls/index.ts';

/** GKE Ingresses serving HTTPS (a spec.tls secretName, managed-certificates or pre-shared-cert). */
export function gkeHttpsIngresses(ctx: AuditContext) {
  return (ctx.snapshot.resources.ingresses ?? []).flatMap((ing) => {
    const gke = gkeIngressOf(ctx.snapshot, ing);
    return gke && gke.certificates.length > 0 ? [{ resource: { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' }, gke }] : [];
  });
}

export const GKE_FRONTEND_CONFIG_READ: ConditionalRead = {
  kinds: ['gke.frontendconfigs'],
  when: 'when a GKE Ingress names a FrontendConfig: its sslPolicy sets the load balancer\'s TLS versions and cipher suites, its redirectToHttps whether port 80 redirects',
  holds(ctx) {
    for (const ing of ctx.snapshot.resources.ingresses ?? []) {
      const name = gkeIngressOf(ctx.snapshot, ing)?.frontendConfig;
      if (name !== undefined) return `the load balancer settings of GKE Ingress ${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}, set by FrontendConfig ${JSON.stringify(name)}`;
    }
    return undefined;
  },
};

export const GKE_GATEWAY_POLICY_READ: ConditionalRead = {
  kinds: ['gke.gcpgatewaypolicies'],
  when: 'when a Gateway of a GKE GatewayClass (controller networking.gke.io/gateway) terminates TLS: the GCPGatewayPolicy targeting it names its SSL policy',
  holds(ctx) {
    const gw = gkeTlsGateways(ctx.snapshot)[0];
    return gw ? `the SSL policy of GKE Gateway ${gw.namespace}/${gw.name}, set by a GCPGatewayPolicy targeting it` : undefined;
  },
};
