// The ALB Ingresses whose TLS policy the edge checks judge: an AWS Load Balancer Controller or
// EKS Auto Mode Ingress with an HTTPS listener (or listeners its missing IngressClassParams
// decide), none of its annotations invalid (src/analysis/tls/aws-alb.ts).
import type { AuditContext } from '../../../src/analysis/context.ts';
import { albIngressOf, albUnjudged, type AlbIngress } from '../../../src/analysis/tls/index.ts';

export const paramsMissing = (alb: AlbIngress): boolean => alb.ingressClassParams?.state === 'missing';

export function albIngresses(ctx: AuditContext) {
  return (ctx.snapshot.resources.ingresses ?? []).flatMap((ing) => {
    const alb = albIngressOf(ctx.snapshot, ing);
    if (!alb || alb.invalidListenPorts || alb.invalidSslRedirect || alb.group?.error || albUnjudged(alb)) return [];
    if (!alb.listeners.some((l) => l.protocol === 'HTTPS') && !(paramsMissing(alb) && !alb.listenPortsFromAnnotation)) return [];
    return [{ resource: { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', name: ing.metadata?.name ?? '' }, alb }];
  });
}

