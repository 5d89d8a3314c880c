// Which Ingress's nginx.ingress.kubernetes.io/ssl-ciphers annotation ingress-nginx applies to a
// server: the one rule tls.weak-ciphers and tls.legacy-protocol-enabled share.
import type { Snapshot, KubeObject } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, createdAt, obj, str } from '../mesh/util.ts';
import { refString } from '../workloads.ts';
import { nginxAnnotationBool, nginxAnnotationGroups, nginxAppliedDoubt, NOT_KNOWN, servedByIngressNginx, type NginxController } from './nginx.ts';

export interface ServedIngress {
  ing: KubeObject;
  /** namespace/name */
  id: string;
  created: number;
  /** Its place in ingress-nginx's order (ingressNginxOrder), 0 the first. */
  order: number;
  groups: Array<{ prefix: string; controllers: NginxController[] }>;
}

/** The annotation prefix of controllers whose --annotations-prefix is not known (NginxController.annotationPrefix). */
const UNKNOWN_PREFIX = `${NOT_KNOWN}/`;

/**
 * The ssl-ciphers annotations controllers reading `prefix` may take from these annotations: the
 * one under the prefix; under a prefix that is not known, every "…/ssl-ciphers" annotation, as
 * any of them may be under the controller's own.
 */
export function nginxCipherAnnotationKeys(annotations: Record<string, string>, prefix: string): Array<{ annotation: string; value: string }> {
  if (prefix !== UNKNOWN_PREFIX) {
    const value = annotations[`${prefix}ssl-ciphers`];
    return typeof value === 'string' ? [{ annotation: `${prefix}ssl-ciphers`, value }] : [];
  }
  return Object.entries(annotations).filter(([k, v]) => k.endsWith('/ssl-ciphers') && typeof v === 'string').map(([annotation, value]) => ({ annotation, value }));
}

/** Whether a group's prefix is not known: its annotations are read by nginxCipherAnnotationKeys's guess. */
export const nginxPrefixUnknown = (prefix: string): boolean => prefix === UNKNOWN_PREFIX;

/**
 * Why it is not known that controller `c` applies this Ingress's server annotations
 * (nginxAppliedDoubt): whether it takes the Ingress, or which annotations it reads, is not known,
 * or nginx refuses the configuration it renders, so the configuration it last loaded serves.
 * Undefined when known, and with no controller (the defaults).
 */
export function nginxCipherDoubt(snapshot: Snapshot, c: NginxController | undefined, ing: KubeObject): string | undefined {
  return c ? nginxAppliedDoubt(snapshot, c, ing) : undefined;
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

/**
 * The servers an Ingress's annotation would set: one per rule host and serving controller (the
 * prefix stands in when none is known, `controller` then unset).
 */
export function nginxServerKeys(ing: KubeObject, prefix: string, controllers: NginxController[]): Array<{ key: string; host: string; controller?: NginxController }> {
  const hosts = ruleHosts(ing);
  if (controllers.length === 0) return hosts.map((host) => ({ key: `(${prefix})\0${host}`, host }));
  return hosts.flatMap((host) => controllers.map((controller) => ({ key: `${refString(controller.ref)}\0${host}`, host, controller })));
}

export interface NginxCipherAnnotations {
  /** The Ingresses ingress-nginx serves, with the controllers reading each annotation prefix. */
  served: ServedIngress[];
  /** Per server (controller + NUL + host), the first Ingress in order whose ssl-ciphers annotation it may take. */
  winners: Map<string, ServedIngress>;
  /** Per server, the first such Ingress the controller surely serves with that annotation (nginxCipherDoubt undefined): none after it counts. */
  certain: Map<string, ServedIngress>;
}

/**
 * One server per host and controller takes the ssl-ciphers annotation of the first Ingress, in
 * ingress-nginx's order, that sets it non-empty ("only add SSL ciphers if the server does not
 * have them previously configured", internal/ingress/controller/controller.go createServers);
 * canary Ingresses are skipped there altogether. An Ingress whose annotation the controller may or
 * may not apply (nginxCipherDoubt) may be the one; the first it surely applies ends the candidates.
 */
export const nginxCipherAnnotations = memoize((snapshot: Snapshot): NginxCipherAnnotations => {
  const served: ServedIngress[] = (snapshot.resources.ingresses ?? [])
    .filter((ing) => servedByIngressNginx(snapshot, ing))
    .map((ing) => ({ ing, id: `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`, created: createdAt(ing), order: 0, groups: nginxAnnotationGroups(snapshot, ing) }));
  const winners = new Map<string, ServedIngress>();
  const certain = new Map<string, ServedIngress>();
  const ordered = [...served].sort(ingressNginxOrder);
  ordered.forEach((s, i) => { s.order = i; });
  for (const s of ordered) {
    const annotations = s.ing.metadata?.annotations ?? {};
    for (const { prefix, controllers } of s.groups) {
      const set = nginxCipherAnnotationKeys(annotations, prefix).some(({ value }) => value.trim() !== '');
      if (!set || nginxCanary(annotations, prefix)) continue;
      for (const { key, controller } of nginxServerKeys(s.ing, prefix, controllers)) {
        if (certain.has(key)) continue;
        if (!winners.has(key)) winners.set(key, s);
        if (nginxCipherDoubt(snapshot, controller, s.ing) === undefined) certain.set(key, s);
      }
    }
  }
  return { served, winners, certain };
}, 'tls');

/**
 * How an Ingress's ssl-ciphers annotation stands on one of its servers (nginxServerKeys):
 * `applied` when the server surely takes it; `overridden` when an older Ingress's annotation surely
 * wins; `maybe`, with why, when the controller may not apply it (nginxCipherDoubt) or an older
 * Ingress it may apply sets one first.
 */
export function nginxCipherOnServer(snapshot: Snapshot, all: NginxCipherAnnotations, self: ServedIngress, server: { key: string; controller?: NginxController }): { state: 'applied' } | { state: 'overridden'; by: ServedIngress } | { state: 'maybe'; why: string } {
  const sure = all.certain.get(server.key);
  if (sure && sure !== self && sure.order < self.order) return { state: 'overridden', by: sure };
  const own = nginxCipherDoubt(snapshot, server.controller, self.ing);
  if (own !== undefined) return { state: 'maybe', why: own };
  const first = all.winners.get(server.key);
  if (!first || first === self) return { state: 'applied' };
  return { state: 'maybe', why: `older Ingress ${first.id} sets ssl-ciphers for the same server first, and whether ingress-nginx applies it is not known: ${nginxCipherDoubt(snapshot, server.controller, first.ing) ?? 'it may be the one served'}` };
}
