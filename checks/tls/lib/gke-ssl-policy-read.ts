// The SSL policy of a GKE load balancer (src/analysis/tls/gke.ts): a GKE Ingress naming a
// FrontendConfig takes that FrontendConfig's sslPolicy, a GKE Gateway the sslPolicy of the
// GCPGatewayPolicy targeting it. Unread (forbidden, an error), the policy is not known: the checks
// judging the SSL policy leave only the Ingresses naming a FrontendConfig, or the GKE Gateways,
// unjudged (gkeUnjudged); a check reading the FrontendConfig otherwise declares GKE_FRONTEND_CONFIG_READ
// and is not evaluated. A CRD not installed is 'absent' (none), and the load balancer takes Google's default.
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { ConditionalRead } from '../../../src/engine/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
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

/** The GKE policy kinds tls.legacy-protocol-enabled and tls.weak-ciphers read best-effort (gkeUnjudged). */
export const GKE_SSL_POLICY_KINDS = ['gke.frontendconfigs', 'gke.gcpgatewaypolicies'] as const satisfies readonly KindKey[];

/** "forbidden: DETAIL" when `kind` could not be read (forbidden, failed), else undefined; absent is none. */
function unreadOf(ctx: AuditContext, kind: KindKey): string | undefined {
  const c = ctx.snapshot.coverage[kind];
  return c?.status === 'forbidden' || c?.status === 'error' ? `${c.status}${c.detail ? `: ${c.detail}` : ''}` : undefined;
}

/**
 * The GKE load balancers whose SSL policy an unread kind hides: a GKE Ingress naming a FrontendConfig
 * when FrontendConfigs could not be read, every GKE Gateway when GCPGatewayPolicies could not (any
 * of them may target it). Only those are left unjudged: an Ingress naming no FrontendConfig takes
 * Google's default whatever the FrontendConfigs hold, and other edges do not read these kinds.
 * `note` names them and the unread kind; `namespaces` (sorted) carry their earlier findings in the diff.
 */
export function gkeUnjudged(ctx: AuditContext): { ingresses: Set<string>; gateways: boolean; notes: string[]; namespaces: string[] } {
  const fc = unreadOf(ctx, 'gke.frontendconfigs');
  const gp = unreadOf(ctx, 'gke.gcpgatewaypolicies');
  const ingresses = new Set<string>();
  const notes: string[] = [];
  const namespaces = new Set<string>();
  if (fc) {
    const named = gkeHttpsIngresses(ctx).filter((i) => i.gke.frontendConfig !== undefined);
    for (const { resource } of named) { ingresses.add(`${resource.namespace}/${resource.name}`); namespaces.add(resource.namespace); }
    if (named.length) notes.push(`${named.length} GKE Ingress(es) naming a FrontendConfig are not judged: FrontendConfigs (gke.frontendconfigs) could not be read (${fc}), and the one each names sets its load balancer's SSL policy: ${named.map((i) => `${i.resource.namespace}/${i.resource.name} (FrontendConfig ${JSON.stringify(i.gke.frontendConfig)})`).join(', ')}`);
  }
  const gateways = gp ? gkeTlsGateways(ctx.snapshot) : [];
  for (const g of gateways) namespaces.add(g.namespace);
  if (gateways.length) notes.push(`${gateways.length} GKE Gateway(s) are not judged: GCPGatewayPolicies (gke.gcpgatewaypolicies) could not be read (${gp}), and one may target each with its SSL policy: ${gateways.map((g) => `${g.namespace}/${g.name}`).join(', ')}`);
  return { ingresses, gateways: gateways.length > 0, notes, namespaces: [...namespaces].sort() };
}
