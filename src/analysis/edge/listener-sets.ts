// Gateway API ListenerSets: listeners a team adds to a shared Gateway from an object of its own
// (https://gateway-api.sigs.k8s.io/api-types/listenerset/; GEP-1713,
// https://gateway-api.sigs.k8s.io/geps/gep-1713/). Served as gateway.networking.k8s.io/v1
// ListenerSet in the Standard Channel since Gateway API v1.5.0, and before that, in the
// experimental channel of v1.3.0 and v1.4.x, as gateway.networking.x-k8s.io/v1alpha1 XListenerSet
// (kubernetes-sigs/gateway-api config/crd/{standard,experimental}); both have the same spec
// (apis/v1/listenerset_types.go, apisx/v1alpha1/xlistenerset_types.go): a parentRef naming the
// Gateway and listeners shaped as the Gateway's own. This module decides which of them the parent
// Gateway takes, so every edge check judges those listeners as the Gateway's.
//
// Only the spec is read: a Gateway takes a ListenerSet when its spec.allowedListeners.namespaces
// admits the ListenerSet's namespace (from: None, the default, admits none; Same; All; Selector on
// the namespace's labels: apis/v1/gateway_types.go AllowedListeners, ListenerNamespaces). The
// ListenerSet's status (Accepted, Programmed) is a controller's report, which a stale or absent
// controller leaves unset; a listener a Gateway would take is judged whatever it says.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { implicitNamespaces, isImplicitNamespace, type KubeObject, type Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, createdAt, labelSelectorMatches, obj, str, type Json } from '../mesh/util.ts';

/** The ListenerSet kinds: the Standard Channel's and the experimental XListenerSet before it. */
export const LISTENER_SET_KINDS = ['gatewayapi.listenersets', 'gatewayapi-x.xlistenersets'] as const satisfies readonly KindKey[];

/** The group and kind a route's parentRef names a ListenerSet by, per kind of LISTENER_SET_KINDS. */
const PARENT_KINDS = [
  { key: 'gatewayapi.listenersets', group: 'gateway.networking.k8s.io', kind: 'ListenerSet' },
  { key: 'gatewayapi-x.xlistenersets', group: 'gateway.networking.x-k8s.io', kind: 'XListenerSet' },
] as const;

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const NAME_LABEL = 'kubernetes.io/metadata.name';
const nsOf = (o: KubeObject) => o.metadata?.namespace ?? 'default';
const nameOf = (o: KubeObject) => o.metadata?.name ?? '';

/**
 * Whether a Gateway API namespace selector (a listener's allowedRoutes.namespaces or a Gateway's
 * allowedListeners.namespaces, from: Selector) selects the namespace.
 * `labels` undefined: the namespace's labels are not known (a namespace a manifests directory
 * uses but does not declare), of which only kubernetes.io/metadata.name is, the API server
 * setting it to the name on every namespace
 * (https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name):
 * a selector reading any other label is then 'unknown', unless its name requirements already
 * refuse the namespace (requirements are ANDed).
 */
export function admitsNamespace(selector: unknown, namespace: string, labels: Record<string, string> | undefined): boolean | 'unknown' {
  const known = labels ?? { [NAME_LABEL]: namespace };
  const sel = obj(selector);
  const keys = [...Object.keys(obj(sel?.matchLabels) ?? {}), ...arr(sel?.matchExpressions).map((e) => str(obj(e)?.key) ?? '')];
  // A malformed selector (no key) refuses whatever the labels.
  if (labels || !sel || keys.every((k) => k === NAME_LABEL) || keys.includes('')) return labelSelectorMatches(selector, known);
  const nameOnly = { matchLabels: Object.fromEntries(Object.entries(obj(sel.matchLabels) ?? {}).filter(([k]) => k === NAME_LABEL)), matchExpressions: arr(sel.matchExpressions).filter((e) => str(obj(e)?.key) === NAME_LABEL) };
  return labelSelectorMatches(nameOnly, known) ? 'unknown' : false;
}

/** The labels of each namespace the input declares (kubernetes.io/metadata.name included); undeclared ones are left out. */
export const namespaceLabelsOf = memoize((snapshot: Snapshot): Map<string, Record<string, string>> =>
  new Map((snapshot.resources.namespaces ?? []).filter((n) => !isImplicitNamespace(n)).map((n) => [nameOf(n), { ...(n.metadata?.labels ?? {}), [NAME_LABEL]: nameOf(n) }])), ['network', 'tls']);

/** A ListenerSet a Gateway takes, with the listeners it programs from it. */
export interface AttachedListenerSet {
  ref: ResourceRef;
  object: KubeObject;
  gateway: KubeObject;
  /** Its spec.listeners the Gateway programs, in order: those conflicting with a listener of higher precedence left out. */
  listeners: Json[];
}

export interface GatewayListenerSets {
  /** Gateway "namespace/name" -> the ListenerSets it takes, in Gateway API's precedence order. */
  byGateway: Map<string, AttachedListenerSet[]>;
  /** parentKey (kind, namespace, name) -> the ListenerSet attached, or why it adds no listener. */
  byParent: Map<string, AttachedListenerSet | string>;
  /** One line per ListenerSet that adds nothing, or listener left out, naming it. */
  notes: string[];
  /** The ListenerSet kinds that exist but could not be read (or a snapshot written before ztaudit read them). */
  unread: string[];
}

/** The key byParent answers a route's parentRef by. */
export const listenerSetKey = (kind: string, namespace: string, name: string) => JSON.stringify([kind, namespace, name]);

/** The ListenerSet kind ('ListenerSet', 'XListenerSet') a route parentRef's group and kind name, if it names one. */
export function listenerSetKindOf(group: string | undefined, kind: string | undefined): string | undefined {
  return PARENT_KINDS.find((p) => p.group === (group ?? GATEWAY_GROUP) && p.kind === kind)?.kind;
}

const text = (r: ResourceRef) => `${r.kind} ${r.namespace}/${r.name}`;

/**
 * A listener's identity for Gateway API's rule that listeners be distinct (apis/v1/gateway_types.go
 * GatewaySpec.Listeners, "Distinct Listeners"): HTTP, HTTPS and TLS ones by port and hostname, TCP
 * and UDP ones by port, each within its protocol.
 */
function distinctKey(protocol: string, port: unknown, hostname: string | undefined): string {
  return JSON.stringify(['TCP', 'UDP'].includes(protocol) ? [protocol, port] : [protocol, port, hostname ?? '']);
}

/**
 * The ListenerSets each Gateway takes. Precedence (ListenerSetSpec.Listeners; "Listener Conflicts"
 * of the ListenerSet page): the Gateway's own listeners, then ListenerSets oldest first, then by
 * "namespace/name". A ListenerSet listener that is not distinct from one of higher precedence (same
 * protocol, port and hostname: HostnameConflict; a TCP listener on the port of an HTTP, HTTPS or
 * TLS one, or the reverse: ProtocolConflict, "all the Listeners that share a port with the TCP
 * Listener are not distinct and so MUST NOT be accepted") is Conflicted and not programmed, the
 * upstream conformance tests listenerset-hostname-conflict and listenerset-protocol-conflict
 * keeping the higher one. Other pairs an implementation may refuse (HTTP and HTTPS on one port)
 * are kept: refusing them here could only hide a listener. O(ListenerSets + their listeners).
 */
export const gatewayListenerSets = memoize((snapshot: Snapshot): GatewayListenerSets => {
  const byGateway = new Map<string, AttachedListenerSet[]>();
  const byParent = new Map<string, AttachedListenerSet | string>();
  const notes: string[] = [];
  const unread = PARENT_KINDS.filter(({ key }) => {
    const status = snapshot.coverage[key]?.status;
    return status === 'forbidden' || status === 'error' || (status === undefined && snapshot.resources[key] === undefined);
  }).map((p) => p.kind);
  const gateways = new Map<string, KubeObject>((snapshot.resources['gatewayapi.gateways'] ?? []).map((gw) => [`${nsOf(gw)}/${nameOf(gw)}`, gw]));
  const labels = namespaceLabelsOf(snapshot);
  const implicit = implicitNamespaces(snapshot);
  const candidates = new Map<string, Array<{ ref: ResourceRef; object: KubeObject }>>();
  for (const { key, kind } of PARENT_KINDS) {
    for (const ls of snapshot.resources[key] ?? []) {
      const ref: ResourceRef = { kind, namespace: nsOf(ls), name: nameOf(ls) };
      const adds = (why: string) => { byParent.set(listenerSetKey(kind, ref.namespace!, ref.name), why); notes.push(`${text(ref)} adds no listener: ${why}`); };
      const parent = obj(obj(ls.spec)?.parentRef);
      if ((str(parent?.group) ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (str(parent?.kind) ?? 'Gateway') !== 'Gateway' || !str(parent?.name)) { adds('its spec.parentRef names no Gateway API Gateway'); continue; }
      const gwKey: string = `${str(parent?.namespace) ?? ref.namespace}/${str(parent?.name)}`;
      const gw = gateways.get(gwKey);
      if (!gw) { adds(`its parent Gateway ${gwKey} is not in the input`); continue; }
      const allowed = obj(obj(obj(gw.spec)?.allowedListeners)?.namespaces);
      const from = str(allowed?.from) ?? 'None';
      const admitted = from === 'All' ? true : from === 'Same' ? nsOf(gw) === ref.namespace
        : from === 'Selector' ? admitsNamespace(allowed?.selector, ref.namespace!, labels.get(ref.namespace!)) : false;
      if (admitted === false) {
        adds(`Gateway ${gwKey} does not allow it (spec.allowedListeners.namespaces.from ${JSON.stringify(from)}${from === 'None' && !allowed?.from ? ', the default' : ''}${from === 'Selector' ? ` does not select namespace ${ref.namespace}` : from === 'Same' ? `, and it is in namespace ${ref.namespace}` : ''}), so the Gateway takes none of its listeners`);
        continue;
      }
      if (admitted === 'unknown') notes.push(`${text(ref)}: whether Gateway ${gwKey} allows it is unknown (its allowedListeners selector reads labels of namespace ${ref.namespace}, ${implicit.has(ref.namespace!) ? 'which no manifest declares' : 'whose labels were not read'}); its listeners are judged as the Gateway's`);
      const list = candidates.get(gwKey) ?? [];
      list.push({ ref, object: ls });
      candidates.set(gwKey, list);
    }
  }
  for (const [gwKey, sets] of candidates) {
    const gw = gateways.get(gwKey)!;
    sets.sort((a, b) => createdAt(a.object) - createdAt(b.object) || (`${a.ref.namespace}/${a.ref.name}` < `${b.ref.namespace}/${b.ref.name}` ? -1 : 1));
    // What the listeners of higher precedence hold: their distinct keys (and who), and per port whether a TCP or an HTTP/HTTPS/TLS one.
    const taken = new Map<string, string>();
    const tcpPorts = new Map<unknown, string>();
    const l7Ports = new Map<unknown, string>();
    const take = (l: Json, who: string) => {
      const protocol = (str(l.protocol) ?? '').toUpperCase();
      taken.set(distinctKey(protocol, l.port, str(l.hostname)), who);
      if (protocol === 'TCP') tcpPorts.set(l.port, who);
      if (['HTTP', 'HTTPS', 'TLS'].includes(protocol)) l7Ports.set(l.port, who);
    };
    arr(obj(gw.spec)?.listeners).map(obj).forEach((l, i) => { if (l) take(l, `Gateway ${gwKey} listener ${str(l.name) ?? String(i)}`); });
    const attached: AttachedListenerSet[] = [];
    for (const { ref, object } of sets) {
      const listeners: Json[] = [];
      arr(obj(object.spec)?.listeners).map(obj).forEach((l, i) => {
        if (!l) return;
        const name = str(l.name) ?? String(i);
        const protocol = (str(l.protocol) ?? '').toUpperCase();
        const same = taken.get(distinctKey(protocol, l.port, str(l.hostname)));
        const crossed = protocol === 'TCP' ? l7Ports.get(l.port) : ['HTTP', 'HTTPS', 'TLS'].includes(protocol) ? tcpPorts.get(l.port) : undefined;
        const over = same ?? crossed;
        if (over !== undefined) {
          notes.push(`${text(ref)} listener ${name} (${protocol} port ${String(l.port)}${str(l.hostname) ? `, ${str(l.hostname)}` : ''}) is not programmed: it conflicts with ${over} (${same !== undefined ? 'same protocol, port and hostname: HostnameConflict' : 'a TCP listener shares the port: ProtocolConflict'}), which takes precedence`);
          return;
        }
        take(l, `${text(ref)} listener ${name}`);
        listeners.push(l);
      });
      const a: AttachedListenerSet = { ref, object, gateway: gw, listeners };
      attached.push(a);
      byParent.set(listenerSetKey(ref.kind, ref.namespace!, ref.name), a);
    }
    byGateway.set(gwKey, attached);
  }
  return { byGateway, byParent, notes, unread };
}, ['network', 'tls']);

/** A Gateway API listener of a Gateway: its own, or one a ListenerSet it takes adds (`listenerSet`). */
export interface GatewayListener {
  listener: Json;
  /** spec.listeners[].name (its index when it has none). */
  name: string;
  /** The ListenerSet it comes from; absent for the Gateway's own. */
  listenerSet?: ResourceRef;
  /** The object holding it: the Gateway or the ListenerSet (the namespace its certificateRefs default to). */
  holder: KubeObject;
}

/** Every listener a Gateway programs: its own, then those of the ListenerSets it takes, in precedence order. */
export function gatewayListeners(snapshot: Snapshot, gw: KubeObject): GatewayListener[] {
  const own = arr(obj(gw.spec)?.listeners).map(obj).flatMap((l, i) => (l ? [{ listener: l, name: str(l.name) ?? String(i), holder: gw }] : []));
  const sets = gatewayListenerSets(snapshot).byGateway.get(`${nsOf(gw)}/${nameOf(gw)}`) ?? [];
  return [...own, ...sets.flatMap((s) => s.listeners.map((l, i) => ({ listener: l, name: str(l.name) ?? String(i), listenerSet: s.ref, holder: s.object })))];
}

/** How a finding names a listener: its name, and for one a ListenerSet adds, that ListenerSet ("https (ListenerSet app/team)"). */
export const gatewayListenerLabel = (l: GatewayListener): string => (l.listenerSet ? `${l.name} (${text(l.listenerSet)})` : l.name);

/**
 * The coverage note of an edge check: the ListenerSet kinds that exist but could not be read
 * (forbidden, an error; or a snapshot written before ztaudit read them) hide the listeners they may
 * add to Gateways, and the routes attached there (`parents`, "HTTPRoute app/web → ListenerSet
 * app/team-a"), from every verdict; the ListenerSets read that add nothing, or listeners the
 * Gateway does not program, are named too.
 */
export function listenerSetNotes(snapshot: Snapshot, parents: readonly string[]): string[] {
  const { unread, notes } = gatewayListenerSets(snapshot);
  const failed = PARENT_KINDS.filter((p) => unread.includes(p.kind)).map((p) => ({ kind: p.kind, status: snapshot.coverage[p.key]?.status }));
  const shown = failed.filter((f) => f.status !== undefined || parents.length > 0);
  const out: string[] = [];
  if (shown.length > 0) {
    out.push(`Gateway API ${shown.map((f) => `${f.kind}s ${f.status ? `could not be read (${f.status})` : 'were not read (a snapshot taken before ztaudit read them)'}`).join(', ')}: the listeners they may add to Gateways (a plaintext HTTP one included) have no verdict${parents.length > 0 ? `, nor the ${parents.length} route parentRef(s) naming one: ${parents.join('; ')}` : ''}`);
  }
  return [...out, ...notes];
}
