// Which Ingress's nginx.ingress.kubernetes.io/ssl-ciphers annotation ingress-nginx applies to a
// server: the one rule tls.weak-ciphers and tls.legacy-protocol-enabled share.
import type { Snapshot, KubeObject } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, createdAt, obj, str } from '../mesh/util.ts';
import { refString } from '../workloads.ts';
import { nginxAnnotationBool, nginxAnnotationGroups, servedByIngressNginx, type NginxController } from './nginx.ts';

export interface ServedIngress {
  ing: KubeObject;
  /** namespace/name */
  id: string;
  created: number;
  groups: Array<{ prefix: string; controllers: NginxController[] }>;
}

/**
 * ingress-nginx's order of Ingresses (internal/ingress/controller/store/store.go sortIngressSlice):
 * oldest creationTimestamp first, equal ones by namespace/name descending. One without a
 * creationTimestamp (manifests not yet applied) will be created after every existing one.
 */
function ingressNginxOrder(a: { id: string; created: number }, b: { id: string; created: number }): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}

/**
 * The snapshot's Ingresses in ingress-nginx's order (ingressNginxOrder): the order in which
 * internal/ingress/controller/controller.go createServers gives a host's server its certificate,
 * the first Ingress whose spec.tls the host's server takes keeping it ("only add a certificate if
 * the server does not have one previously configured").
 */
export const ingressesInNginxOrder = memoize((snapshot: Snapshot): KubeObject[] =>
  (snapshot.resources.ingresses ?? [])
    .map((ing) => ({ ing, id: `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`, created: createdAt(ing) }))
    .sort(ingressNginxOrder)
    .map((x) => x.ing), 'tls');

/** The hosts an Ingress's rules make servers of; a rule without a host is the catch-all server "_". */
function ruleHosts(ing: KubeObject): string[] {
  return [...new Set(arr(obj(ing.spec)?.rules).map((r) => str(obj(r)?.host) || '_'))];
}

/** Whether the Ingress is a canary under this annotation prefix: ingress-nginx takes no server settings from it. */
export function nginxCanary(annotations: Record<string, string>, prefix: string): boolean {
  const v = annotations[`${prefix}canary`];
  return typeof v === 'string' && nginxAnnotationBool(v) === true;
}

/** The servers an Ingress's annotation would set: one per rule host and serving controller (the prefix stands in when none is known). */
export function nginxServerKeys(ing: KubeObject, prefix: string, controllers: NginxController[]): Array<{ key: string; host: string }> {
  const owners = controllers.length ? controllers.map((c) => refString(c.ref)) : [`(${prefix})`];
  return ruleHosts(ing).flatMap((host) => owners.map((o) => ({ key: `${o}\0${host}`, host })));
}

export interface NginxCipherAnnotations {
  /** The Ingresses ingress-nginx serves, with the controllers reading each annotation prefix. */
  served: ServedIngress[];
  /** Per server (controller + NUL + host), the Ingress whose ssl-ciphers annotation it takes. */
  winners: Map<string, ServedIngress>;
}

/**
 * One server per host and controller takes the ssl-ciphers annotation of the first Ingress, in
 * ingress-nginx's order, that sets it non-empty ("only add SSL ciphers if the server does not
 * have them previously configured", internal/ingress/controller/controller.go createServers);
 * canary Ingresses are skipped there altogether.
 */
export const nginxCipherAnnotations = memoize((snapshot: Snapshot): NginxCipherAnnotations => {
  const served: ServedIngress[] = (snapshot.resources.ingresses ?? [])
    .filter((ing) => servedByIngressNginx(snapshot, ing))
    .map((ing) => ({ ing, id: `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`, created: createdAt(ing), groups: nginxAnnotationGroups(snapshot, ing) }));
  const winners = new Map<string, ServedIngress>();
  for (const s of [...served].sort(ingressNginxOrder)) {
    const annotations = s.ing.metadata?.annotations ?? {};
    for (const { prefix, controllers } of s.groups) {
      const value = annotations[`${prefix}ssl-ciphers`];
      if (typeof value !== 'string' || value.trim() === '' || nginxCanary(annotations, prefix)) continue;
      for (const { key } of nginxServerKeys(s.ing, prefix, controllers)) if (!winners.has(key)) winners.set(key, s);
    }
  }
  return { served, winners };
}, 'tls');
