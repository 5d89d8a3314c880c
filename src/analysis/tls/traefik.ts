// Traefik's Kubernetes Ingress provider: which Ingresses it serves and whether their router
// terminates TLS by annotation (doc.traefik.io reference/routing-configuration/kubernetes/ingress,
// traefik/traefik pkg/provider/kubernetes/ingress/annotations.go).

import type { KubeObject } from '../../snapshot/types.ts';
import { ingressClassOf, ingressClassesByController, nginxAnnotationBool } from './nginx.ts';

export const TRAEFIK_INGRESS_CONTROLLER = 'traefik.io/ingress-controller';
const ROUTER_TLS = 'traefik.ingress.kubernetes.io/router.tls';

/**
 * Whether Traefik serves this Ingress: its class names an IngressClass whose controller is
 * Traefik's (or, with no such IngressClass, is Traefik's default class name "traefik"); an
 * Ingress without class only when Traefik's IngressClass is the cluster default.
 */
export function servedByTraefik(classes: ReturnType<typeof ingressClassesByController>, ing: KubeObject): boolean {
  const cls = ingressClassOf(ing);
  if (cls === undefined) return classes.some((c) => c.isDefault && c.controller === TRAEFIK_INGRESS_CONTROLLER);
  const ic = classes.find((c) => c.name === cls);
  return ic ? ic.controller === TRAEFIK_INGRESS_CONTROLLER : cls === 'traefik';
}

/**
 * The annotation that gives the Ingress's routers a TLS section, or undefined. RouterIng.TLS is
 * a pointer decoded with label "allowEmpty": `router.tls: "true"` creates it empty, and any
 * `router.tls.*` key (certresolver, options, domains) creates it too. A router with a TLS
 * section answers only TLS requests (doc.traefik.io reference/routing-configuration/http/tls/overview).
 */
export function traefikRouterTls(ing: KubeObject): string | undefined {
  const annotations = ing.metadata?.annotations ?? {};
  const sub = Object.keys(annotations).find((k) => k.startsWith(`${ROUTER_TLS}.`));
  if (sub) return `${sub}: "${annotations[sub]}"`;
  const raw = annotations[ROUTER_TLS];
  // Traefik's label parser reads booleans with Go strconv.ParseBool, as ingress-nginx does.
  return raw !== undefined && nginxAnnotationBool(raw) === true ? `${ROUTER_TLS}: "${raw}"` : undefined;
}
