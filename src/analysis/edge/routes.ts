// The paths in from outside the cluster that an edge controller serves: Ingress rules, Gateway
// API routes attached to Gateway listeners, Istio VirtualServices bound to Istio Gateways,
// Traefik IngressRoutes and IngressRouteTCPs and Contour HTTPProxies, each down to a backend Service and port, with
// the controller whose pods carry the traffic. Whether those pods can reach the backend is the
// network model's question (netpol/exposure.ts); this module only reads the routing objects.
// A route that leads nowhere (a missing Service, Gateway or ReferenceGrant) is a note naming it.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { implicitNamespaces, isImplicitNamespace, type KubeObject, type Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str, stringMap, type Json } from '../mesh/util.ts';
import { istioHostIntersection, listenerHostnameCovers, normalizeHost } from '../tls/hosts.ts';
import { ingressClassOf, nginxControllersBearingOn, nginxControllersFor, servedByIngressNginx } from '../tls/nginx.ts';
import { TRAEFIK_TCP_MIDDLEWARE_KEYS, TRAEFIK_TCP_ROUTE_KEYS, traefikCrdProvidersFor, traefikCrdProvidersResolving, traefikCrdGroupOf, traefikCrdSees, traefikCrdUnserved, type TraefikCrdGroup, type TraefikCrdProvider, traefikCrossNamespace, traefikCrossRefusal, traefikMiddlewareIndex, traefikEntryPoints, traefikHttpsRedirect, traefikMiddlewareTcpIndex, traefikProvidersFor, traefikNamedEntryPoints, traefikRouterOnlyHttp, traefikRouterTls, traefikTcpMiddlewareOf, traefikUnattached } from '../tls/traefik.ts';
import { refString, templatesStandIn } from '../workloads.ts';
import { admitsNamespace, gatewayListenerSets, listenerSetKey, listenerSetKindOf, namespaceLabelsOf, LISTENER_SET_KINDS } from './listener-sets.ts';
import { referenceGrantAllows } from './reference-grants.ts';

export type EdgeVia = 'Ingress' | 'Gateway' | 'IstioGateway' | 'IngressRoute' | 'IngressRouteTCP' | 'HTTPProxy';

/** The edge controller's pods: exact workloads when known, else well-known pod labels. */
export interface EdgeController {
  /** "ingress-nginx (IngressClass nginx)", "GatewayClass eg (gateway.envoyproxy.io/gatewayclass-controller)", … */
  label: string;
  /** Which controller family expresses the guards (annotations, middlewares, policies). */
  family: 'ingress-nginx' | 'traefik' | 'contour' | 'istio' | 'envoy-gateway' | 'other';
  workloads: ResourceRef[];
  /** Pods with all these labels (in `namespace` when set). */
  selectors: Array<{ namespace?: string; labels: Record<string, string> }>;
}

export interface EdgeRoute {
  via: EdgeVia;
  /** The routing object (Ingress, HTTPRoute, VirtualService, IngressRoute, IngressRouteTCP, HTTPProxy). */
  route: ResourceRef;
  object: KubeObject;
  /** Gateway API or Istio Gateway the route is attached to. */
  gateway?: ResourceRef;
  /** Gateway API listener name (sectionName or every listener that accepts the route). */
  listeners?: string[];
  /** The Gateway API ListenerSet holding those listeners, when the route's parentRef names one (they are not the Gateway's own). */
  listenerSet?: ResourceRef;
  /** Host name the path answers for; '*' = any Host. */
  host: string;
  /** '' for a TCP router, which matches no path. */
  path: string;
  backend: { namespace: string; name: string; port?: { number?: number; name?: string } };
  controller: EdgeController;
  /** Traefik middlewares the route references, "namespace/name": MiddlewareTCPs for an IngressRouteTCP. */
  middlewares: string[];
  /**
   * The match rule of the IngressRoute or IngressRouteTCP entry (spec.routes[].match) the path comes
   * from: Traefik builds one router per entry, with that entry's middlewares only.
   */
  match?: string;
  /** Why it is not known whether the listeners admit the route (admitsNamespace); absent when they do. */
  attachmentUnknown?: string;
  /**
   * The controller hands the TLS stream to the backend unopened (an IngressRouteTCP with
   * tls.passthrough): it sees no request, so only the backend can terminate TLS or authenticate.
   */
  tlsPassthrough?: true;
}

/**
 * A routing object attached to one Gateway API listener or bound to one Istio Gateway server,
 * whatever its backends resolve to: what that listener or server answers with.
 */
export interface EdgeAttachment {
  gateway: ResourceRef;
  /** Gateway API listener name. */
  listener?: string;
  /** The Gateway API ListenerSet holding that listener; absent for the Gateway's own. */
  listenerSet?: ResourceRef;
  /** Index of the Istio Gateway server in spec.servers. */
  server?: number;
  route: ResourceRef;
  /** Host names it answers there; '*' = any Host. */
  hosts: string[];
  /**
   * What its rules forward requests to ("Service web/app:8080"), rules that redirect or only
   * answer left out: empty when every rule redirects.
   */
  forwards: string[];
  /** Why it is not known whether the listener admits the route (admitsNamespace); absent when it does. */
  attachmentUnknown?: string;
}

export interface EdgeRoutes {
  routes: EdgeRoute[];
  attachments: EdgeAttachment[];
  /** Routes that lead nowhere or could not be read, one line naming the object. */
  notes: string[];
  /**
   * What Traefik refuses to build a router for (a Middleware or MiddlewareTCP that does not exist or
   * cannot be built, a cross-namespace reference: traefikCrossRefused, traefikChainRefused, a TCP rule
   * traefikTcpRouteRefused rejects, entryPoints named of which no Traefik has one: traefikUnattached): an Ingress, or one route entry (spec.routes[i]) of an
   * IngressRoute or IngressRouteTCP. Read through traefikRefused and traefikBuildsRouter, the one notion
   * of "refused" the edge and the TLS checks share.
   */
  refused: Set<unknown>;
  /**
   * Route parentRefs naming a Gateway API ListenerSet of a kind that could not be read ("HTTPRoute
   * app/web → ListenerSet app/team-a"; gatewayListenerSets' unread): the listeners it adds to a
   * Gateway, and the routes attached there, are not in the model. Named, never a silent pass.
   */
  listenerSetParents: string[];
}

/**
 * Whether edgeRoutes found Traefik refusing this Ingress or this route entry of an IngressRoute or
 * IngressRouteTCP (EdgeRoutes.refused): it serves nothing,
 * for the TLS checks as for exposure.
 */
export function traefikRefused(snapshot: Snapshot, what: unknown): boolean {
  return edgeRoutes(snapshot).refused.has(what);
}

/** Kinds this module reads; checks and exposure list them in `reads`, but for EDGE_ROUTE_BEST_EFFORT. */
export const EDGE_ROUTE_KINDS = [
  'ingresses', 'ingressclasses', 'services',
  'gatewayapi.gateways', 'gatewayapi.gatewayclasses', 'gatewayapi.httproutes', 'gatewayapi.grpcroutes', 'gatewayapi.tlsroutes', 'gatewayapi.tcproutes', 'gatewayapi.referencegrants', ...LISTENER_SET_KINDS,
  'istio.gateways', 'istio.virtualservices',
  'traefik.ingressroutes', 'traefik-legacy.ingressroutes', 'traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps', 'traefik.middlewaretcps', 'traefik-legacy.middlewaretcps',
  'contour.httpproxies',
] as const satisfies readonly KindKey[];

/**
 * Of EDGE_ROUTE_KINDS, the ones that only refine the routes, which checks list in `readsBestEffort`:
 * the MiddlewareTCPs only drop an IngressRouteTCP Traefik refuses for naming a missing or broken one,
 * and unread, the route stays (traefikTcpRouteRefused), the guards saying they could not be read;
 * the ListenerSets only add listeners to Gateways, and unread, the routes attached to one are named
 * as not judged (listenerSetParents). In `reads`, a role that predates the kind would leave every
 * edge check not evaluated.
 */
export const EDGE_ROUTE_BEST_EFFORT: readonly KindKey[] = [...TRAEFIK_TCP_MIDDLEWARE_KEYS, ...LISTENER_SET_KINDS];

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const nsOf = (o: KubeObject) => o.metadata?.namespace ?? 'default';
const nameOf = (o: KubeObject) => o.metadata?.name ?? '';
const refOf = (kind: string, o: KubeObject): ResourceRef => ({ kind, namespace: nsOf(o), name: nameOf(o) });
const text = (r: ResourceRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

function portOf(v: unknown): EdgeRoute['backend']['port'] {
  if (typeof v === 'number' && Number.isInteger(v)) return { number: v };
  if (typeof v === 'string' && /^\d+$/.test(v)) return { number: Number(v) };
  if (typeof v === 'string' && v) return { name: v };
  const o = obj(v);
  if (!o) return undefined;
  if (typeof o.number === 'number') return { number: o.number };
  if (typeof o.name === 'string') return { name: o.name };
  return undefined;
}

const TRAEFIK: EdgeController['selectors'] = [{ labels: { 'app.kubernetes.io/name': 'traefik' } }];
const CONTOUR_ENVOY: EdgeController['selectors'] = [{ labels: { 'app.kubernetes.io/name': 'envoy' } }, { labels: { app: 'envoy' } }];
const ISTIO_INGRESS: EdgeController['selectors'] = [{ labels: { istio: 'ingressgateway' } }];

/** Each IngressClass's spec.controller, by name. */
const ingressClassControllers = memoize((snapshot: Snapshot) => new Map((snapshot.resources.ingressclasses ?? []).map((ic) => [nameOf(ic), str(obj(ic.spec)?.controller)] as const)), ['network', 'tls']);

/** The controller serving an Ingress (ingressController), for a check judging the Ingress itself. */
export const ingressControllerOf = (snapshot: Snapshot, ing: KubeObject): EdgeController => ingressController(snapshot, ing, ingressClassControllers(snapshot));

/** The controller serving an Ingress, from its class (IngressClass controller or the class name) . */
function ingressController(snapshot: Snapshot, ing: KubeObject, classes: Map<string, string | undefined>): EdgeController {
  const cls = ingressClassOf(ing);
  const nginx = nginxControllersFor(snapshot, ing);
  const label = (what: string) => `${what}${cls !== undefined ? ` (IngressClass ${cls})` : ''}`;
  if (nginx.length > 0) return { label: label('ingress-nginx'), family: 'ingress-nginx', workloads: nginx.map((c) => c.ref), selectors: [] };
  // Whether Traefik serves it is tls/traefik.ts's answer alone, so the TLS checks and the edge agree.
  const traefik = traefikProvidersFor(snapshot, ing);
  if (traefik.length > 0) {
    const workloads = traefik.flatMap((p) => (p.ref ? [p.ref] : []));
    return { label: label('Traefik'), family: 'traefik', workloads, selectors: workloads.length > 0 ? [] : TRAEFIK };
  }
  const controller = cls !== undefined ? classes.get(cls) ?? cls : undefined;
  const c = controller ?? '';
  // With ingress-nginx controllers in the snapshot, whether ingress-nginx serves the Ingress is
  // servedByIngressNginx's answer, the one the guards and the TLS checks take; the class name is
  // only a guess when none is known. A controller taking the class in a namespace it does not
  // watch is not known here: the Ingress reads as if it were not in the snapshot.
  const nginxKnown = nginxControllersBearingOn(snapshot, ing).length > 0;
  const nginxNamed = /ingress-nginx|^nginx$/.test(c);
  if (nginxKnown ? servedByIngressNginx(snapshot, ing) : nginxNamed) return { label: label('ingress-nginx'), family: 'ingress-nginx', workloads: [], selectors: [{ labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } }] };
  if (nginxNamed) return { label: label('no controller of the snapshot'), family: 'other', workloads: [], selectors: [] };
  if (/contour/.test(c)) return { label: label('Contour'), family: 'contour', workloads: [], selectors: CONTOUR_ENVOY };
  if (/istio/.test(c)) return { label: label('Istio ingress gateway'), family: 'istio', workloads: [], selectors: ISTIO_INGRESS };
  return { label: label(c ? `controller ${c}` : 'the default ingress controller'), family: 'other', workloads: [], selectors: [] };
}

/**
 * The Middleware ("namespace/name") an Ingress's traefik.ingress.kubernetes.io/router.middlewares
 * entry names. Traefik registers a CRD Middleware as `<namespace>-<name>@kubernetescrd`
 * (https://doc.traefik.io/traefik/routing/providers/kubernetes-ingress/, "router.middlewares"),
 * which dashes in Kubernetes names make ambiguous (traefik/traefik#6318): the entry resolves to
 * a Middleware of the snapshot with that id, the Ingress's own namespace first, else the longest
 * namespace. When none has it, the Ingress's own namespace if the entry starts with it, else the
 * text up to the first dash, so the missing Middleware can be named.
 */
function traefikIngressMiddleware(entry: string, ingressNs: string, byId: Map<string, string[]>): string {
  const own = `${ingressNs}/${entry.slice(ingressNs.length + 1)}`;
  const existing = byId.get(entry) ?? [];
  if (existing.includes(own)) return own;
  if (existing.length > 0) return [...existing].sort((a, b) => b.indexOf('/') - a.indexOf('/'))[0];
  if (entry.startsWith(`${ingressNs}-`) && entry.length > ingressNs.length + 1) return own;
  const i = entry.indexOf('-');
  return i > 0 ? `${entry.slice(0, i)}/${entry.slice(i + 1)}` : `${ingressNs}/${entry}`;
}

const traefikMiddlewareIds = memoize((snapshot: Snapshot): Map<string, string[]> => {
  const ids = new Map<string, string[]>();
  for (const key of ['traefik.middlewares', 'traefik-legacy.middlewares'] as const) {
    for (const mw of snapshot.resources[key] ?? []) {
      const id = traefikKey(nsOf(mw), nameOf(mw));
      ids.set(id, [...(ids.get(id) ?? []), `${nsOf(mw)}/${nameOf(mw)}`]);
    }
  }
  return ids;
}, ['network', 'tls']);

/** The Middlewares ("namespace/name", in order) an Ingress's traefik.ingress.kubernetes.io/router.middlewares annotation names. */
export function traefikIngressMiddlewares(snapshot: Snapshot, ing: KubeObject): string[] {
  return (str(obj(ing.metadata?.annotations)?.['traefik.ingress.kubernetes.io/router.middlewares']) ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => traefikIngressMiddleware(s.replace(/@kubernetescrd$/, ''), nsOf(ing), traefikMiddlewareIds(snapshot)));
}

/** The pods of a Gateway API Gateway, by its GatewayClass controllerName. */
function gatewayController(gw: KubeObject, controllerName: string | undefined): EdgeController {
  const ns = nsOf(gw);
  const name = nameOf(gw);
  const cls = str(obj(gw.spec)?.gatewayClassName) ?? '';
  const label = `GatewayClass ${cls}${controllerName ? ` (${controllerName})` : ''}`;
  // Implementations that deploy one proxy per Gateway label its pods with the Gateway's name (GEP-1762).
  const generic = { namespace: ns, labels: { 'gateway.networking.k8s.io/gateway-name': name } };
  const c = controllerName ?? '';
  if (c.startsWith('gateway.envoyproxy.io/')) return { label, family: 'envoy-gateway', workloads: [], selectors: [{ labels: { 'gateway.envoyproxy.io/owning-gateway-name': name, 'gateway.envoyproxy.io/owning-gateway-namespace': ns } }, generic] };
  if (c.startsWith('istio.io/')) return { label, family: 'istio', workloads: [], selectors: [generic, { namespace: ns, labels: { 'istio.io/gateway-name': name } }] };
  if (c.startsWith('traefik.io/')) return { label, family: 'traefik', workloads: [], selectors: [...TRAEFIK, generic] };
  if (c.startsWith('projectcontour.io/')) return { label, family: 'contour', workloads: [], selectors: [generic, { namespace: ns, labels: { 'projectcontour.io/owning-gateway-name': name } }] };
  return { label, family: 'other', workloads: [], selectors: [generic] };
}

interface Listener { name: string; protocol: string; hostname?: string; port?: number; from: 'Same' | 'All' | 'Selector'; selector?: unknown; kinds?: string[] }

const listenersOf = (gw: KubeObject): Listener[] => listenersFrom(arr(obj(gw.spec)?.listeners).map(obj).filter((l): l is Json => !!l));

function listenersFrom(listeners: Json[]): Listener[] {
  return listeners.map((l, i) => {
    const allowed = obj(l.allowedRoutes);
    const nsSpec = obj(allowed?.namespaces);
    const from = str(nsSpec?.from);
    const kinds = arr(allowed?.kinds).map(obj).filter((k): k is Json => !!k).map((k) => str(k.kind) ?? '');
    return {
      name: str(l.name) ?? String(i),
      protocol: (str(l.protocol) ?? '').toUpperCase(),
      hostname: str(l.hostname),
      port: typeof l.port === 'number' ? l.port : undefined,
      from: from === 'All' || from === 'Selector' ? from : 'Same',
      selector: nsSpec?.selector,
      kinds: kinds.length ? kinds : undefined,
    };
  });
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Which listener protocols accept a route kind by default (Gateway API spec, "allowedRoutes"). */
const ROUTE_PROTOCOLS: Record<string, string[]> = { HTTPRoute: ['HTTP', 'HTTPS'], GRPCRoute: ['HTTP', 'HTTPS'], TLSRoute: ['TLS'], TCPRoute: ['TCP'] };

/** Host names a route answers on a listener: the intersection of listener hostname and route hostnames ('*' = any). */
function hostsOnListener(l: Listener, routeHosts: string[]): string[] {
  if (routeHosts.length === 0) return [l.hostname ?? '*'];
  return routeHosts.filter((h) => listenerHostnameCovers(l.hostname, h) || (l.hostname !== undefined && listenerHostnameCovers(h, l.hostname))).map((h) => (l.hostname && h.startsWith('*.') && listenerHostnameCovers(h, l.hostname) ? l.hostname : h));
}

/**
 * An Istio gateway name as Istio resolves it, "namespace/name" (pilot/pkg/model resolveGatewayName):
 * "ns/name"; "./name" or a short name in the VirtualService's namespace; the legacy
 * "name.ns[.svc.cluster.local]" form. "mesh" stays as it is.
 */
export function istioGatewayName(g: string, vsNamespace: string): string {
  if (g === 'mesh') return g;
  const slash = g.indexOf('/');
  if (slash >= 0) return g.slice(0, slash) === '.' ? `${vsNamespace}/${g.slice(slash + 1)}` : g;
  const dot = g.indexOf('.');
  if (dot < 0) return `${vsNamespace}/${g}`;
  const rest = g.slice(dot + 1);
  return `${rest.includes('.') ? rest.slice(0, rest.indexOf('.')) : rest}/${g.slice(0, dot)}`;
}

/**
 * Whether a VirtualService route entry (http, tls or tcp) applies on a gateway server listening
 * on `port` of gateway `gateway` ("namespace/name"): without matches it does; otherwise some
 * match must leave port unset or name this one, and leave gateways unset or name this gateway
 * (match gateways override the VirtualService's spec.gateways). Istio drops the others:
 * pilot/pkg/networking/core/route/route.go TranslateRoute, `if match != nil && match.Port != 0
 * && match.Port != uint32(listenPort) { return nil }`, and sourceMatchHTTP for the gateways
 * (HTTPMatchRequest.port, .gateways: istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest).
 */
export function istioRouteApplies(entry: Json, port: number | undefined, gateway: string, vsNamespace: string): boolean {
  const matches = arr(entry.match).map((m) => obj(m) ?? {});
  if (matches.length === 0) return true;
  return matches.some((m) => {
    const p = typeof m.port === 'number' ? m.port : 0;
    const gateways = arr(m.gateways).filter((g): g is string => typeof g === 'string');
    return (p === 0 || p === port) && (gateways.length === 0 || gateways.some((g) => istioGatewayName(g, vsNamespace) === gateway));
  });
}

/**
 * Istio Gateway server protocols carrying plaintext HTTP (Port.protocol "MUST be one of
 * HTTP|HTTPS|GRPC|GRPC-WEB|HTTP2|MONGO|TCP|TLS",
 * https://istio.io/latest/docs/reference/config/networking/gateway/#Port): GRPC and GRPC-WEB are
 * HTTP/2, served from a VirtualService's http routes like HTTP and HTTP2.
 */
export const ISTIO_HTTP_PROTOCOLS: readonly string[] = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB'];

/** The route sections a VirtualService answers with on an Istio Gateway server: http on HTTP (and on HTTPS that terminates), tls on passthrough, tcp on TCP and terminated TLS. */
function istioSections(server: Json): Array<'http' | 'tls' | 'tcp'> {
  const protocol = (str(obj(server.port)?.protocol) ?? '').toUpperCase();
  // ServerTLSSettings.mode: PASSTHROUGH is the enum's zero value, so an omitted mode passes through.
  const mode = (str(obj(server.tls)?.mode) ?? 'PASSTHROUGH').toUpperCase();
  const passthrough = mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
  return protocol === 'HTTPS' ? (passthrough ? ['tls'] : ['http'])
    : protocol === 'TLS' ? (passthrough ? ['tls'] : ['tcp'])
      : ISTIO_HTTP_PROTOCOLS.includes(protocol) ? ['http'] : ['tcp'];
}

/**
 * What a VirtualService's routes forward to through one Istio Gateway server, of the entries
 * that apply there (istioRouteApplies); undefined when none does (the VirtualService answers
 * nothing on that server). An entry that only redirects or answers directly forwards nothing.
 */
function istioForwards(vs: Json, server: Json, gateway: string, vsNamespace: string): string[] | undefined {
  const port = obj(server.port)?.number;
  let applies = false;
  const out: string[] = [];
  for (const section of istioSections(server)) {
    for (const raw of arr(vs[section])) {
      const r = obj(raw);
      if (!r || !istioRouteApplies(r, typeof port === 'number' ? port : undefined, gateway, vsNamespace)) continue;
      applies = true;
      const delegate = obj(r.delegate);
      if (delegate && str(delegate.name)) out.push(`delegate VirtualService ${str(delegate.namespace) ?? ''}${str(delegate.namespace) ? '/' : ''}${str(delegate.name)}`);
      for (const d of arr(r.route).map((x) => obj(obj(x)?.destination))) {
        const host = str(d?.host);
        const port = obj(d?.port)?.number;
        if (host) out.push(`destination ${host}${typeof port === 'number' ? `:${port}` : ''}`);
      }
    }
  }
  return applies ? out : undefined;
}

/**
 * The host names a Traefik router rule matches (Host(`a`, `b`) …), normalized; empty when it
 * names none (any Host). A string ends at its own closing quote, so a backtick-quoted name keeps
 * any double quote inside it.
 */
export function traefikRuleHosts(match: string): string[] {
  // An unclosed Host( runs to the end and ends the scan there: without `|$` every later Host(
  // would rescan to the end again, quadratic in a rule a tenant writes (up to ~1 MB).
  return [...match.matchAll(/Host\(([^)]*)(\)|$)/g)].filter((m) => m[2] === ')')
    .flatMap((m) => [...m[1].matchAll(/`([^`]+)`|"([^"]+)"|'([^']+)'/g)].map((x) => normalizeHost(x[1] ?? x[2] ?? x[3])));
}

/**
 * The host names a Traefik TCP router rule matches by SNI (HostSNI(`a`) … ; v2 also lists several
 * in one), normalized; empty when it names none or only `*`, which matches any SNI and is the only
 * value a router without TLS may use (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/routing/rules-and-priority/#hostsni-and-hostsniregexp,
 * "HostSNI & TLS"). HostSNIRegexp is not read: its router counts as answering any host.
 */
export function traefikRuleSniHosts(match: string): string[] {
  // As traefikRuleHosts: an unclosed HostSNI( ends the scan, keeping it linear.
  return [...match.matchAll(/HostSNI\(([^)]*)(\)|$)/g)].filter((m) => m[2] === ')')
    .flatMap((m) => [...m[1].matchAll(/`([^`]+)`|"([^"]+)"|'([^']+)'/g)].map((x) => normalizeHost(x[1] ?? x[2] ?? x[3])))
    .filter((h) => h !== '*');
}

/**
 * The middlewares ("namespace/name", or "name@provider" as written, in order) a route of an
 * IngressRoute or IngressRouteTCP names, the namespace defaulting to the route's.
 */
export function traefikTcpRouteMiddlewares(route: Json, routeNs: string): string[] {
  return arr(route.middlewares).map(obj).filter((m): m is Json => !!m && !!str(m.name)).map((m) => traefikCrdRef(routeNs, str(m.namespace), str(m.name)!).text);
}

/** A reference of a Traefik CRD object, as the CRD provider resolves it. */
export type TraefikCrdRef =
  /** An object of the kubernetescrd provider, found by Traefik's key; `crosses`: it may name another namespace, which only allowCrossNamespace allows. */
  | { key: string; text: string; crosses: boolean; provider?: undefined }
  /** "name@provider": another provider's object, not read. */
  | { provider: string; text: string };

/**
 * How Traefik's CRD provider reads a reference to a Middleware, MiddlewareTCP or TLSOption
 * (traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go resolveReference, makeMiddlewareKeys
 * before v3.7): a name holding "@" is taken as written, another provider's object, except
 * "<key>@kubernetescrd", which may name any namespace and so is refused without
 * allowCrossNamespace ("@kubernetescrd references are disallowed"); otherwise the namespace
 * defaults to the referrer's, one of another namespace is refused without allowCrossNamespace,
 * and the object is found by its key Normalize(namespace-name) (traefikKey).
 */
export function traefikCrdRef(parentNs: string, ns: string | undefined, name: string): TraefikCrdRef {
  const at = name.indexOf('@');
  if (at >= 0) {
    const provider = name.slice(at + 1);
    return provider === 'kubernetescrd' ? { key: name.slice(0, at), text: name, crosses: true } : { provider, text: name };
  }
  const where = ns || parentNs;
  return { key: traefikKey(where, name), text: `${where}/${name}`, crosses: where !== parentNs };
}

/** traefikCrdRef of a reference a route holds ("namespace/name" or "name@provider", traefikTcpRouteMiddlewares). */
export function traefikRefOf(ref: string, parentNs: string): TraefikCrdRef {
  if (ref.includes('@')) return traefikCrdRef(parentNs, undefined, ref);
  const slash = ref.indexOf('/');
  return traefikCrdRef(parentNs, ref.slice(0, slash), ref.slice(slash + 1));
}

/**
 * The references of one route of an IngressRoute or IngressRouteTCP that may cross namespaces
 * (its middlewares, its Services, the TLSOption of its tls.options), named. Traefik's CRD provider
 * refuses the route when allowCrossNamespace is off: makeMiddlewareKeys, nameAndService and the
 * TLSOption's resolveReference return an error, and the route is skipped ("continue" in
 * kubernetes_http.go and kubernetes_tcp.go loadConfigurationFromCRD/loadIngressRouteTCPConfiguration).
 * For an IngressRouteTCP a Service of another namespace is left out alone (createLoadBalancerServerTCP;
 * edgeRoutes leaves it out of the route's backends).
 */
function traefikCrossingRefs(ir: KubeObject, route: Json, tcp: boolean, otherProviderTlsOption: () => boolean | undefined): { refs: string[]; tcpCrdKeys: string[] } {
  const ns = nsOf(ir);
  const out: string[] = [];
  const tcpCrdKeys: string[] = [];
  for (const ref of traefikTcpRouteMiddlewares(route, ns)) {
    const r = traefikRefOf(ref, ns);
    if (r.provider === undefined && r.crosses) (traefikTcpCrdKey(r, tcp) ? tcpCrdKeys : out).push(`${tcp ? 'MiddlewareTCP' : 'Middleware'} ${r.text}`);
  }
  const options = obj(obj(obj(ir.spec)?.tls)?.options);
  const optionName = str(options?.name);
  if (optionName) {
    const r = traefikCrdRef(ns, str(options?.namespace), optionName);
    if (r.provider === undefined && r.crosses) out.push(`TLSOption ${r.text}`);
    // Another provider's TLSOption: Traefik before v2.11.46, v3.6.17, v3.7.1 took its namespace as ""
    // (unless tls.options.namespace is the route's) and so as another (traefikCrossNamespace).
    else if (r.provider !== undefined && str(options?.namespace) !== ns && otherProviderTlsOption() === true) out.push(`TLSOption ${r.text} (another provider's: this Traefik release takes its namespace as "", which is not the route's)`);
  }
  if (!tcp) {
    for (const s of arr(route.services).map(obj)) {
      const name = str(s?.name);
      const sns = str(s?.namespace);
      if (name && !name.includes('@') && sns && sns !== ns) out.push(`${str(s?.kind) ?? 'Service'} ${sns}/${name}`);
    }
  }
  return { refs: out, tcpCrdKeys };
}

/**
 * Whether a reference is an IngressRouteTCP middleware named "<key>@kubernetescrd", whose refusal
 * without allowCrossNamespace depends on the release (traefik.ts TRAEFIK_CROSS_CHECKS tcpCrdKey,
 * traefikCrossRefusal); an IngressRoute's is refused on every release (makeMiddlewareKeys).
 */
export function traefikTcpCrdKey(r: TraefikCrdRef, tcp: boolean): boolean {
  return tcp && r.provider === undefined && r.text.endsWith('@kubernetescrd');
}

/** HTTP Middlewares of both API groups by Traefik's key (traefikKey), as for MiddlewareTCPs. O(Middlewares). */
/** Objects by Traefik's key (traefikKey): several when their keys collide. O(objects). */
function byTraefikKey(objects: Iterable<KubeObject>): Map<string, KubeObject[]> {
  const m = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const key = traefikKey(nsOf(o), nameOf(o));
    const list = m.get(key);
    if (list) list.push(o);
    else m.set(key, [o]);
  }
  return m;
}

const traefikMiddlewareKeys = memoize((snapshot: Snapshot): Map<string, KubeObject[]> => byTraefikKey(traefikMiddlewareIndex(snapshot).values()), ['network', 'tls']);

/** The HTTP Middlewares a Traefik key finds: none, one, or several whose keys collide (Traefik keeps one of them). */
export function traefikMiddlewaresByKey(snapshot: Snapshot, key: string): KubeObject[] {
  return traefikMiddlewareKeys(snapshot).get(key) ?? [];
}

/**
 * For each Middleware that is a chain, the first member reference, through the chains it leads to,
 * that may cross namespaces ("Middleware db/guarded names shared/auth"); null when none does.
 * Traefik's CRD provider resolves a chain's members against the chain's namespace and, without
 * allowCrossNamespace, fails on one of another namespace or named "<key>@kubernetescrd"
 * (pkg/provider/kubernetes/crd/kubernetes.go createChainMiddleware, since commit df00d82fc7, first
 * in v2.11.43, v3.6.14 and v3.7.0; before them it built the chain unchecked: traefik.ts
 * TRAEFIK_CROSS_CHECKS, traefikCrossRefusal 'chain'): it then leaves the whole chain Middleware out of its configuration
 * ("Error while reading chain middleware"; continue), and a chain naming that chain, or a router
 * naming either, fails to build ("middleware … does not exist", pkg/server/middleware/middlewares.go).
 * Filled lazily, each Middleware walked once: O(Middlewares) for all routes together.
 */
const traefikChainCrossings = memoize((_snapshot: Snapshot) => new Map<KubeObject, string | null>(), ['network', 'tls']);

export function traefikChainCrossing(snapshot: Snapshot, mw: KubeObject): string | undefined {
  const memo = traefikChainCrossings(snapshot);
  const known = memo.get(mw);
  if (known !== undefined) return known ?? undefined;
  // A cycle (which Traefik refuses as a recursion) finds nothing here.
  memo.set(mw, null);
  let found: string | undefined;
  for (const c of arr(obj(obj(mw.spec)?.chain)?.middlewares)) {
    const name = str(obj(c)?.name);
    if (!name) continue;
    const r = traefikCrdRef(nsOf(mw), str(obj(c)?.namespace), name);
    if (r.provider !== undefined) continue;
    if (r.crosses) { found = `Middleware ${nsOf(mw)}/${nameOf(mw)} is a chain naming Middleware ${r.text}`; break; }
    const members = traefikMiddlewaresByKey(snapshot, r.key);
    const deeper = members.length === 1 ? traefikChainCrossing(snapshot, members[0]) : undefined;
    if (deeper) { found = deeper; break; }
  }
  memo.set(mw, found ?? null);
  return found;
}

/**
 * That Traefik has no HTTP Middleware a router names: `missing` when the snapshot shows it surely
 * has none, `unknown` when it cannot show that (why, for a note). Traefik builds no router naming
 * one: BuildMiddlewareChain's constructor returns "middleware %q does not exist"
 * (pkg/server/middleware/middlewares.go), buildEntryPointHandler records the error on the router
 * and skips it (`continue`, pkg/server/router/router.go), so its rule is in no entryPoint's muxer
 * and its requests get another router or the default 404; so on every release from v2.0.0 to v3.7.9.
 */
export type TraefikMiddlewareAbsence = { missing: string; unknown?: undefined } | { unknown: string; missing?: undefined };

const TRAEFIK_HTTP_MIDDLEWARE_KEYS = ['traefik.middlewares', 'traefik-legacy.middlewares'] as const satisfies readonly KindKey[];

/** The namespaces of the input whose Namespace object it holds (not made up for objects naming them). */
const declaredNamespaces = memoize((snapshot: Snapshot): Set<string> => new Set((snapshot.resources.namespaces ?? []).filter((n) => !isImplicitNamespace(n)).map(nameOf)), ['network', 'tls']);

/**
 * Of the Middlewares under one key, the ones the CRD providers resolving a route surely see
 * (traefikCrdSees: the API group its release reads, the namespaces it watches), and why the rest
 * are unsure or unseen: a Middleware no provider sees does not exist for them.
 */
function traefikMiddlewaresSeen(found: KubeObject[], by: TraefikResolvers): { sure: KubeObject[]; unsure?: string; unseen?: string } {
  const sure: KubeObject[] = [];
  let unsure: string | undefined;
  let unseen: string | undefined;
  for (const mw of found) {
    const answers = by.providers.map((p) => traefikCrdSees(p, mw, by));
    const which = `Middleware ${nsOf(mw)}/${nameOf(mw)} (${mw.apiVersion ?? 'no apiVersion'})`;
    if (answers.some((a) => a.sees === true)) sure.push(mw);
    else if (answers.some((a) => a.sees === undefined)) unsure ??= `${which} is there, but ${answers.find((a) => a.sees === undefined)!.why}`;
    else unseen ??= `${which} is there, but ${answers[0]?.why ?? 'no Traefik resolving it runs the CRD provider'}`;
  }
  return { sure, unsure, unseen };
}

/**
 * The Middlewares Traefik's key may name, as "namespace/name": every split of the key at a dash
 * into <namespace>-<name> whose namespace part can be a Namespace's name (a DNS label, at most 63
 * characters: no more than 63 dashes looked at whatever the key's length). Traefik keys a CRD Middleware
 * Normalize(<namespace>-<name>) (traefikKey), so "db-sso-auth" is Middleware sso-auth of namespace
 * db and Middleware auth of namespace db-sso alike.
 */
function traefikKeySplits(key: string): Array<{ ns: string; name: string }> {
  const out: Array<{ ns: string; name: string }> = [];
  for (let i = key.indexOf('-'); i > 0 && i <= 63; i = key.indexOf('-', i + 1)) {
    const ns = key.slice(0, i);
    if (i + 1 < key.length && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) out.push({ ns, name: key.slice(i + 1) });
  }
  return out;
}

/**
 * Why a CRD object under this Traefik key (`kind` Middleware or MiddlewareTCP, `what` naming the
 * reference) may exist though the input holds none: a manifests input lacking the Namespace object
 * of a namespace the key may name (traefikKeySplits), or naming one with a dash, whose doubled-dash
 * spelling has the same key. Undefined for a live snapshot (its objects are listed cluster-wide)
 * or when every namespace the key may name is declared.
 */
function traefikKeyElsewhere(snapshot: Snapshot, key: string, what: string, kind: 'Middleware' | 'MiddlewareTCP'): string | undefined {
  if (!templatesStandIn(snapshot)) return undefined;
  const declared = declaredNamespaces(snapshot);
  const splits = traefikKeySplits(key);
  const unseen = splits.flatMap(({ ns, name }) => !declared.has(ns) ? [{ ns, name }] : ns.includes('-') ? [{ ns: ns.replaceAll('-', '--'), name }] : []);
  if (unseen.length === 0) return undefined;
  const also = splits.length > 1 ? ` (Traefik keys a ${kind} <namespace>-<name>, each run of characters other than letters and digits one dash, so key ${key} may be ${kind} ${unseen.map((u) => `${u.ns}/${u.name}`).join(', ')})` : '';
  return `${what} is not in the input, nor is the Namespace object of namespace ${unseen.map((u) => u.ns).join(', ')}, whose objects may be elsewhere${also}`;
}

/**
 * Whether the Traefiks whose CRD providers resolve a route (`providers`) have no HTTP Middleware
 * under this key (traefikKey), `what` naming it ("Traefik Middleware db/auth"): undefined when one
 * of them surely sees one (traefikMiddlewaresSeen); `unknown` when one may (its release, or its
 * watched namespaces, not known), when the Middleware kinds were not read (forbidden, an error, or
 * not collected, as in a snapshot written before ztaudit read them), or when the input is a
 * manifests directory and a namespace the key may name (traefikKeySplits: "db-sso-auth" is
 * db/sso-auth and db-sso/auth) is not known to hold none: its Namespace object is not in the
 * input, whose objects may be elsewhere (missing data is no fix), or its name holds a dash, so that
 * the same key is also that of a namespace spelled with the dash doubled ("db--sso", whose
 * Normalize is "db-sso"), which no input can declare entirely; else `missing`, saying why a
 * Middleware of the snapshot under that key is not theirs. A live cluster's Middlewares are listed
 * cluster-wide: a key none has is missing whatever namespace it may name.
 */
export function traefikMiddlewareAbsence(snapshot: Snapshot, key: string, what: string, by: TraefikResolvers): TraefikMiddlewareAbsence | undefined {
  const seen = traefikMiddlewaresSeen(traefikMiddlewaresByKey(snapshot, key), by);
  if (seen.sure.length > 0) return undefined;
  if (seen.unsure) return { unknown: `${what}: ${seen.unsure}, so whether it exists for the Traefik serving it is not known` };
  const unread = TRAEFIK_HTTP_MIDDLEWARE_KEYS.filter((k) => {
    const status = snapshot.coverage[k]?.status;
    return status === 'forbidden' || status === 'error' || (status === undefined && snapshot.resources[k] === undefined);
  });
  if (unread.length > 0) return { unknown: `${what} is not in the snapshot, whose Middlewares could not be read (${unread.map((k) => `${k} ${snapshot.coverage[k]?.status ?? 'not collected'}`).join(', ')})` };
  // One in the input that it does not see (seen.unseen) is no question of objects elsewhere.
  const elsewhere = seen.unseen ? undefined : traefikKeyElsewhere(snapshot, key, what, 'Middleware');
  if (elsewhere) return { unknown: elsewhere };
  return { missing: seen.unseen ? `${what} does not exist for the Traefik serving it: ${seen.unseen}` : `${what} does not exist` };
}

/** The Middlewares under a key that the providers surely see (traefikMiddlewaresSeen). */
function traefikMiddlewaresFor(snapshot: Snapshot, key: string, by: TraefikResolvers): KubeObject[] {
  const found = traefikMiddlewaresByKey(snapshot, key);
  return found.length === 0 ? found : traefikMiddlewaresSeen(found, by).sure;
}

/** The CRD providers resolving a route's references, and the API group of the route (an Ingress has none). */
export interface TraefikResolvers { providers: TraefikCrdProvider[]; group?: TraefikCrdGroup; namespace?: string }

/** One name for the resolvers, keying what is worked out for them. */
const providersId = (by: TraefikResolvers) => `${by.group ?? ''}\u0003${by.namespace ?? ''}\u0001${by.providers.map((p) => (p.ref ? refString(p.ref) : '*')).join('\u0000')}`;

/**
 * For each Middleware that is a chain, why a member, through the chains it leads to, does not
 * exist: the chain's constructor builds its members with BuildMiddlewareChain (pkg/middlewares/chain,
 * pkg/server/middleware/middlewares.go), so a missing member fails the chain and every router using
 * it, whether or not the member may cross namespaces (refused or missing, it is not built). A member
 * of another provider ("name@file") is not read. Filled lazily, each Middleware walked once:
 * O(Middlewares) for all routes together; a cycle finds nothing.
 */
const traefikChainAbsences = memoize((_snapshot: Snapshot) => new Map<string, Map<KubeObject, TraefikMiddlewareAbsence | null>>(), ['network', 'tls']);

function traefikChainAbsence(snapshot: Snapshot, mw: KubeObject, by: TraefikResolvers): TraefikMiddlewareAbsence | undefined {
  const byProviders = traefikChainAbsences(snapshot);
  const id = providersId(by);
  let memo = byProviders.get(id);
  if (!memo) byProviders.set(id, (memo = new Map()));
  const known = memo.get(mw);
  if (known !== undefined) return known ?? undefined;
  memo.set(mw, null);
  let unknown: string | undefined;
  let missing: string | undefined;
  for (const c of arr(obj(obj(mw.spec)?.chain)?.middlewares)) {
    const name = str(obj(c)?.name);
    if (!name) continue;
    const r = traefikCrdRef(nsOf(mw), str(obj(c)?.namespace), name);
    if (r.provider !== undefined) continue;
    const chain = `Middleware ${nsOf(mw)}/${nameOf(mw)} is a chain whose member`;
    const members = traefikMiddlewaresFor(snapshot, r.key, by);
    const a = members.length === 0 ? traefikMiddlewareAbsence(snapshot, r.key, `${chain} Middleware ${r.text}`, by)
      : members.length === 1 ? traefikChainAbsence(snapshot, members[0], by) : undefined;
    if (a?.missing) { missing = a.missing; break; }
    unknown ??= a?.unknown;
  }
  const out = missing ? { missing } : unknown ? { unknown } : undefined;
  memo.set(mw, out ?? null);
  return out;
}

/**
 * Why Traefik builds no router naming these HTTP Middlewares (CRD references: key and text),
 * chains followed, or why that cannot be confirmed: the first one missing, else the first one not
 * confirmable; undefined when all are there (traefikMiddlewareAbsence).
 */
function traefikMiddlewaresAbsence(snapshot: Snapshot, refs: Array<{ key: string; text: string }>, by: TraefikResolvers): TraefikMiddlewareAbsence | undefined {
  let unknown: string | undefined;
  for (const r of refs) {
    const found = traefikMiddlewaresFor(snapshot, r.key, by);
    let a: TraefikMiddlewareAbsence | undefined;
    if (found.length === 0) a = traefikMiddlewareAbsence(snapshot, r.key, `Traefik Middleware ${r.text}`, by);
    else {
      // Of several under one key Traefik keeps one, which is not known: missing only when each misses a member.
      const chains = found.map((mw) => traefikChainAbsence(snapshot, mw, by));
      const first = chains.find((x) => x !== undefined);
      if (first) a = chains.every((x) => x?.missing) ? { missing: `Traefik Middleware ${r.text}: ${first.missing}` } : { unknown: `Traefik Middleware ${r.text}: ${first.missing ?? first.unknown}` };
    }
    if (a?.missing) return a;
    unknown ??= a?.unknown;
  }
  return unknown ? { unknown } : undefined;
}

/**
 * Why Traefik builds no router for an Ingress it serves, for the Middlewares its
 * traefik.ingress.kubernetes.io/router.middlewares names (https://doc.traefik.io/traefik/routing/providers/kubernetes-ingress/,
 * "router.middlewares"), or why that cannot be confirmed; undefined when they are all there. The
 * Ingress provider hands the entries on as written and buildHTTPHandler qualifies one without
 * "@provider" by the router's own provider, kubernetes (pkg/server/provider GetQualifiedName), which
 * defines no Middleware (pkg/provider/kubernetes/ingress sets none), so such an entry is missing;
 * "<key>@kubernetescrd" is a Middleware of the CRD provider of the Traefik serving the Ingress
 * (traefikCrdProvidersResolving), missing where none of them runs one; another provider's is not read.
 */
function traefikIngressMiddlewareAbsence(snapshot: Snapshot, ing: KubeObject): TraefikMiddlewareAbsence | undefined {
  const entries = (str(obj(ing.metadata?.annotations)?.['traefik.ingress.kubernetes.io/router.middlewares']) ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  const crd: Array<{ key: string; text: string }> = [];
  for (const entry of entries) {
    const at = entry.indexOf('@');
    if (at < 0) return { missing: `Traefik Middleware ${entry}, named without @provider, is taken as ${entry}@kubernetes, of the Ingress provider, which defines no Middlewares, so it does not exist` };
    if (entry.slice(at + 1) !== 'kubernetescrd') continue;
    const key = entry.slice(0, at);
    const ref = traefikIngressMiddleware(key, nsOf(ing), traefikMiddlewareIds(snapshot));
    crd.push({ key, text: `${entry} (${ref})` });
  }
  const providers = crd.length > 0 ? traefikCrdProvidersResolving(snapshot, ing) : [];
  if (crd.length > 0 && providers.length === 0) return { missing: `Traefik Middleware ${crd[0].text} does not exist for the Traefik serving it, which runs no Kubernetes CRD provider (providers.kubernetesCRD)` };
  return traefikMiddlewaresAbsence(snapshot, crd, { providers });
}

/** The note for a route or Ingress whose Middlewares Traefik may lack (traefikMiddlewaresAbsence), and whether it is not served. */
function traefikAbsenceNote(a: TraefikMiddlewareAbsence, where: string, what: string): { note: string; refused: boolean } {
  if (a.missing) return { refused: true, note: `${where}: ${a.missing}: Traefik builds no router naming a Middleware that does not exist ("middleware … does not exist"), so ${what} not served` };
  return { refused: false, note: `${where}: ${a.unknown}: whether Traefik builds ${what.startsWith('its routers') ? 'its routers' : 'the router'} cannot be confirmed (it builds none naming a Middleware that does not exist), so ${what} counted as served` };
}

/**
 * Why Traefik builds no router for this route of an IngressRouteTCP, or undefined when it does
 * (as far as the snapshot shows). Traefik refuses the router (pkg/server/router/tcp/manager.go
 * addTCPHandlers, which logs the error and skips it):
 * - when it has no TLS and its rule matches a host name: "HostSNI Rule, but TLS not set on the
 *   router, which is an error. However, we allow the HostSNI(*) exception"
 *   (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/routing/rules-and-priority/#hostsni-and-hostsniregexp);
 * - when a MiddlewareTCP it names does not exist or cannot be built (pkg/server/middleware/tcp/middlewares.go
 *   BuildChain: "middleware %q does not exist"; traefikTcpMiddlewareOf).
 * A name holding "@" is another provider's middleware, not read here. When the MiddlewareTCPs
 * could not be read, a missing one is not taken as refusing the router: missing data is no fix.
 */
export function traefikTcpRouteRefused(snapshot: Snapshot, ir: KubeObject, route: Json): string | undefined {
  // As traefikRuleSniHosts: an unclosed HostSNI( ends the scan, keeping it linear.
  const sni = [...(str(route.match) ?? '').matchAll(/HostSNI\(([^)]*)(\)|$)/g)].filter((m) => m[2] === ')').flatMap((m) => [...m[1].matchAll(/`([^`]+)`|"([^"]+)"|'([^']+)'/g)].map((x) => x[1] ?? x[2] ?? x[3]));
  const tls = obj(obj(ir.spec)?.tls);
  if (!tls && sni.length > 0 && sni[0] !== '*') return `its rule ${JSON.stringify(str(route.match))} matches HostSNI ${JSON.stringify(sni[0])} without tls, which Traefik refuses (a TCP router without TLS can only match HostSNI(\`*\`))`;
  const byKey = traefikMiddlewareTcpKeys(snapshot);
  // A kind read as neither listed nor absent (forbidden, an error, or no coverage entry at all, as
  // in a snapshot written before ztaudit collected it) is unread: a missing one proves nothing.
  const unread = TRAEFIK_TCP_MIDDLEWARE_KEYS.some((k) => {
    const status = snapshot.coverage[k]?.status;
    return status === 'forbidden' || status === 'error' || (status === undefined && snapshot.resources[k] === undefined);
  });
  for (const ref of traefikTcpRouteMiddlewares(route, nsOf(ir))) {
    const r = traefikRefOf(ref, nsOf(ir));
    if (r.provider !== undefined) continue;
    const candidates = byKey.get(r.key) ?? [];
    // One a manifests input may hold elsewhere leaves the router served (traefikTcpRouteUnconfirmed says so).
    if (candidates.length === 0 && !unread && !traefikKeyElsewhere(snapshot, r.key, `Traefik MiddlewareTCP ${ref}`, 'MiddlewareTCP')) return `Traefik MiddlewareTCP ${ref}, which it names, does not exist, so Traefik refuses the router`;
    // Of several MiddlewareTCPs under one key Traefik keeps one, which is not known: refused only when none can be built.
    const built = candidates.map(traefikTcpMiddlewareOf);
    const m = built.find((b) => b.type === 'invalid');
    if (m?.type === 'invalid' && built.every((b) => b.type === 'invalid')) return `Traefik MiddlewareTCP ${ref}, which it names, cannot be built (${m.why}), so Traefik refuses the router`;
  }
  return undefined;
}

/**
 * Why whether Traefik builds this IngressRouteTCP route cannot be confirmed: a MiddlewareTCP it
 * names is not in a manifests input that lacks a namespace the key may name (traefikKeyElsewhere),
 * so it is counted as served; undefined otherwise. Asked of a route traefikTcpRouteRefused serves.
 */
export function traefikTcpRouteUnconfirmed(snapshot: Snapshot, ir: KubeObject, route: Json): string | undefined {
  const byKey = traefikMiddlewareTcpKeys(snapshot);
  for (const ref of traefikTcpRouteMiddlewares(route, nsOf(ir))) {
    const r = traefikRefOf(ref, nsOf(ir));
    if (r.provider !== undefined || (byKey.get(r.key) ?? []).length > 0) continue;
    const why = traefikKeyElsewhere(snapshot, r.key, `Traefik MiddlewareTCP ${ref}`, 'MiddlewareTCP');
    if (why) return why;
  }
  return undefined;
}

/**
 * Traefik's key for a CRD object of namespace `ns` named `name`: provider.Normalize(ns + "-" + name),
 * every run of characters other than letters and digits one "-" (traefik/traefik
 * pkg/provider/configuration.go Normalize; pkg/provider/kubernetes/crd/kubernetes.go makeID and
 * resolveReference). A route's reference resolves by that key, so route namespace db naming
 * "team-limit" finds MiddlewareTCP db-team/limit, whose key is db-team-limit too.
 */
export function traefikKey(ns: string, name: string): string {
  return `${ns}-${name}`.split(/[^\p{L}\p{N}]+/u).filter(Boolean).join('-');
}

/** The MiddlewareTCPs a Traefik key finds: none, one, or several whose keys collide (Traefik keeps one of them). */
export function traefikMiddlewareTcpsByKey(snapshot: Snapshot, key: string): KubeObject[] {
  return traefikMiddlewareTcpKeys(snapshot).get(key) ?? [];
}

/** The MiddlewareTCPs of both API groups by Traefik's key (traefikKey): several when their keys collide. O(MiddlewareTCPs). */
const traefikMiddlewareTcpKeys = memoize((snapshot: Snapshot): Map<string, KubeObject[]> => byTraefikKey(traefikMiddlewareTcpIndex(snapshot).values()), ['network', 'tls']);

export const edgeRoutes = memoize((snapshot: Snapshot): EdgeRoutes => {
  const routes: EdgeRoute[] = [];
  const attachments: EdgeAttachment[] = [];
  const notes: string[] = [];
  const listenerSetParents: string[] = [];
  const refused = new Set<unknown>();
  const services = new Set((snapshot.resources.services ?? []).map((s) => `${nsOf(s)}/${nameOf(s)}`));
  // A namespace a manifests directory uses without declaring it has unknown labels: left out.
  const implicit = implicitNamespaces(snapshot);
  const namespaceLabels = namespaceLabelsOf(snapshot);

  const push = (r: Omit<EdgeRoute, 'middlewares'> & { middlewares?: string[] }) => {
    if (!services.has(`${r.backend.namespace}/${r.backend.name}`)) {
      notes.push(`${text(r.route)}: backend Service ${r.backend.namespace}/${r.backend.name} not found; the path ${r.host}${r.path} leads nowhere`);
      return;
    }
    routes.push({ middlewares: [], ...r });
  };

  // A route using a chain Traefik cannot build for a member of another namespace
  // (traefikChainCrossing): where allowCrossNamespace is off the router fails, a note; where that
  // is not known, served, a note too (the guards do not count the member). `crossRoute`: the
  // IngressRoute or Ingress whose Traefiks build the chain (traefikCrdProvidersResolving).
  const traefikChainRefused = (used: Array<{ ref: string; mw: KubeObject }>, crossRoute: KubeObject, route: ResourceRef, what: string): boolean => {
    for (const { ref, mw } of used) {
      const crossing = traefikChainCrossing(snapshot, mw);
      if (!crossing) continue;
      const cross = traefikCrossRefusal(snapshot, crossRoute, 'chain');
      if (cross.refused === false) return false;
      const how = `it uses Middleware ${ref}, and ${crossing}, of another namespace (or by its @kubernetescrd key)`;
      if (cross.refused === true) {
        notes.push(`${text(route)}: ${how}, which Traefik's kubernetescrd provider refuses without allowCrossNamespace from v2.11.43, v3.6.14 and v3.7.0 on (${cross.why}): it leaves the chain out, and a router using it fails ("middleware does not exist"); ${what} not served`);
        return true;
      }
      notes.push(`${text(route)}: ${how}: Traefik builds the chain with the kubernetescrd provider's allowCrossNamespace on, or on a release before v2.11.43, v3.6.14 and v3.7.0, which is not known (${cross.why}); ${what} counted as served`);
      return false;
    }
    return false;
  };
  // Ingress
  const classes = ingressClassControllers(snapshot);
  for (const ing of snapshot.resources.ingresses ?? []) {
    const ns = nsOf(ing);
    const route = refOf('Ingress', ing);
    const controller = ingressController(snapshot, ing, classes);
    const spec = obj(ing.spec) ?? {};
    const traefikMw = traefikIngressMiddlewares(snapshot, ing);
    if (controller.family === 'traefik') {
      const unattached = traefikUnattached(traefikEntryPoints(snapshot), traefikNamedEntryPoints(ing, 'Ingress'));
      if (unattached) { notes.push(`${text(route)}: ${unattached}; its routers are not served`); refused.add(ing); continue; }
      const index = traefikMiddlewareIndex(snapshot);
      const used = traefikMw.flatMap((ref) => { const mw = index.get(ref); return mw ? [{ ref, mw }] : []; });
      // A Middleware that does not exist fails the routers whatever else holds: asked first (as for an IngressRoute).
      const absent = traefikIngressMiddlewareAbsence(snapshot, ing);
      const absentNote = absent ? traefikAbsenceNote(absent, text(route), 'its routers are') : undefined;
      if (absentNote?.refused) { notes.push(absentNote.note); refused.add(ing); continue; }
      if (traefikChainRefused(used, ing, route, 'its routers are')) { refused.add(ing); continue; }
      if (absentNote) notes.push(absentNote.note);
    }
    // A Traefik router whose middlewares redirect every request to https forwards nothing.
    if (controller.family === 'traefik' && !traefikRouterTls(ing) && traefikRouterOnlyHttp(traefikEntryPoints(snapshot), (str(obj(ing.metadata?.annotations)?.['traefik.ingress.kubernetes.io/router.entrypoints']) ?? '').split(',').map((e) => e.trim()).filter(Boolean))
      && traefikHttpsRedirect(snapshot, traefikMw, ns, text(route), { ingress: ing }).redirect) continue;
    const add = (backend: unknown, host: string, path: string) => {
      const svc = obj(obj(backend)?.service);
      const name = str(svc?.name);
      if (!name) {
        if (obj(backend)?.resource) return; // a resource backend (object storage) is not a pod
        if (backend !== undefined) notes.push(`${text(route)}: a backend for ${host}${path} names no Service; it is skipped`);
        return;
      }
      push({ via: 'Ingress', route, object: ing, host, path, backend: { namespace: ns, name, port: portOf(svc?.port) }, controller, middlewares: traefikMw });
    };
    if (spec.defaultBackend !== undefined) add(spec.defaultBackend, '*', '/');
    for (const rawRule of arr(spec.rules)) {
      const rule = obj(rawRule);
      if (!rule) continue;
      const host = str(rule.host) ? normalizeHost(str(rule.host)!) : '*';
      for (const p of arr(obj(rule.http)?.paths)) add(obj(p)?.backend, host, str(obj(p)?.path) ?? '/');
    }
  }

  // Gateway API
  const gatewayClasses = new Map<string, string | undefined>();
  for (const gc of snapshot.resources['gatewayapi.gatewayclasses'] ?? []) gatewayClasses.set(nameOf(gc), str(obj(gc.spec)?.controllerName));
  const gateways = new Map<string, KubeObject>();
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) gateways.set(`${nsOf(gw)}/${nameOf(gw)}`, gw);
  const listenerSets = gatewayListenerSets(snapshot);
  notes.push(...listenerSets.notes);
  const granted = (routeKind: string, routeNs: string, toNs: string, svcName: string): boolean =>
    referenceGrantAllows(snapshot, { group: GATEWAY_GROUP, kind: routeKind, namespace: routeNs }, { group: '', kind: 'Service', namespace: toNs, name: svcName });
  const routeKinds = [['gatewayapi.httproutes', 'HTTPRoute'], ['gatewayapi.grpcroutes', 'GRPCRoute'], ['gatewayapi.tlsroutes', 'TLSRoute'], ['gatewayapi.tcproutes', 'TCPRoute']] as const;
  for (const [key, kind] of routeKinds) {
    for (const r of snapshot.resources[key] ?? []) {
      const ns = nsOf(r);
      const route = refOf(kind, r);
      const spec = obj(r.spec) ?? {};
      const routeHosts = arr(spec.hostnames).filter((h): h is string => typeof h === 'string').map(normalizeHost);
      // A RequestRedirect rule answers with the redirect and forwards nothing; the API refuses
      // it beside backendRefs (HTTPRouteRule validation), so such a rule is read as a redirect.
      const rules = arr(spec.rules).map(obj).filter((rule): rule is Json => !!rule).filter((rule) => {
        if (!arr(rule.filters).some((f) => str(obj(f)?.type) === 'RequestRedirect')) return true;
        if (arr(rule.backendRefs).length > 0) notes.push(`${text(route)}: a rule has a RequestRedirect filter and backendRefs, which the API refuses together; it is read as a redirect`);
        return false;
      });
      const forwards = rules.flatMap((rule) => arr(rule.backendRefs).map(obj).filter((b): b is Json => !!b && !!str(b.name)).map((b) => {
        const port = portOf(b.port);
        return `${str(b.kind) ?? 'Service'} ${str(b.namespace) ?? ns}/${str(b.name)}${port ? `:${port.number ?? port.name}` : ''}`;
      }));
      let attached = false;
      for (const rawParent of arr(spec.parentRefs)) {
        const p = obj(rawParent);
        if (!p) continue;
        // A ListenerSet (gateway.networking.k8s.io/v1, Standard Channel since Gateway API v1.5.0:
        // https://gateway-api.sigs.k8s.io/api-types/listenerset/) adds listeners to its parent
        // Gateway; a route naming it as parent attaches to its listeners alone, the sectionName
        // one or every one (GEP-1713, "Summary of Attachments": the ListenerSet is the direct
        // parent), as a route naming the Gateway attaches to the Gateway's own listeners alone.
        const lsKind = listenerSetKindOf(str(p.group), str(p.kind));
        const section = str(p.sectionName);
        const port = typeof p.port === 'number' ? p.port : undefined;
        let parent: { gw: KubeObject; listeners: Listener[]; where: string; namespace: string; listenerSet?: ResourceRef };
        if (lsKind !== undefined) {
          const lsNs = str(p.namespace) ?? ns;
          const lsName = str(p.name) ?? '';
          const where = `${lsKind} ${lsNs}/${lsName}`;
          if (listenerSets.unread.includes(lsKind)) {
            listenerSetParents.push(`${text(route)} → ${where}${section ? ` (sectionName ${section})` : ''}`);
            continue;
          }
          const set = listenerSets.byParent.get(listenerSetKey(lsKind, lsNs, lsName));
          if (typeof set !== 'object') {
            notes.push(`${text(route)}: parent ${where} ${set === undefined ? 'not found' : `adds no listener to a Gateway (${set})`}; the route is not attached there`);
            continue;
          }
          parent = { gw: set.gateway, listeners: listenersFrom(set.listeners), where, namespace: lsNs, listenerSet: set.ref };
        } else {
          if ((str(p.group) ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (str(p.kind) ?? 'Gateway') !== 'Gateway') continue;
          const gwNs = str(p.namespace) ?? ns;
          const gwName = str(p.name);
          if (!gwName) {
            notes.push(`${text(route)}: a parentRef names no Gateway; it is skipped`);
            continue;
          }
          const gw = gateways.get(`${gwNs}/${gwName}`);
          if (!gw) {
            notes.push(`${text(route)}: parent Gateway ${gwNs}/${gwName} not found; the route is not attached there`);
            continue;
          }
          parent = { gw, listeners: listenersOf(gw), where: `Gateway ${gwNs}/${gwName}`, namespace: gwNs };
        }
        const { gw, where, listenerSet } = parent;
        // ParentReference: sectionName names one listener, port selects every listener on that
        // port; with both, the listener must match both.
        const candidates = parent.listeners.filter((l) => (section === undefined || l.name === section) && (port === undefined || l.port === port));
        if ((section !== undefined || port !== undefined) && candidates.length === 0) {
          const which = [section !== undefined ? `"${section}"` : '', port !== undefined ? `on port ${port}` : ''].filter(Boolean).join(' ');
          notes.push(`${text(route)}: ${where} has no listener ${which}; the route is not attached there`);
          continue;
        }
        const admits = (l: Listener): boolean | 'unknown' => {
          if (l.kinds ? !l.kinds.includes(kind) : !(ROUTE_PROTOCOLS[kind] ?? []).includes(l.protocol)) return false;
          // "Same": the namespace of the object holding the listener, the ListenerSet's for its own.
          if (l.from === 'Same') return parent.namespace === ns;
          if (l.from === 'Selector') return admitsNamespace(l.selector, ns, namespaceLabels.get(ns));
          return true;
        };
        const hostsByListener = candidates.map((l) => ({ l, admitted: admits(l) })).filter((x) => x.admitted !== false)
          .map((x) => ({ ...x, hosts: hostsOnListener(x.l, routeHosts) })).filter((x) => x.hosts.length > 0);
        if (hostsByListener.length === 0) {
          notes.push(`${text(route)}: no listener of ${where}${section ? ` (sectionName ${section})` : ''}${port !== undefined ? ` on port ${port}` : ''} accepts it (protocol, allowedRoutes namespaces/kinds or hostnames); it is not attached there`);
          continue;
        }
        const undecided = hostsByListener.filter((x) => x.admitted === 'unknown').map((x) => x.l.name);
        const unknown = undecided.length === 0 ? undefined
          : `whether listener${undecided.length > 1 ? 's' : ''} ${undecided.join(', ')} of ${where} admit${undecided.length > 1 ? '' : 's'} it is unknown: ${undecided.length > 1 ? 'their' : 'its'} allowedRoutes.namespaces selector reads labels of namespace ${ns}, ${implicit.has(ns) ? `which no manifest declares (only its ${NAME_LABEL} label is known); add the Namespace manifest with its labels` : 'whose labels were not read'}`;
        if (unknown) notes.push(`${text(route)}: ${unknown}`);
        attached = true;
        for (const x of hostsByListener) attachments.push({ gateway: refOf('Gateway', gw), listener: x.l.name, ...(listenerSet ? { listenerSet } : {}), route, hosts: x.hosts, forwards, ...(x.admitted === 'unknown' ? { attachmentUnknown: unknown } : {}) });
        const controller = gatewayController(gw, gatewayClasses.get(str(obj(gw.spec)?.gatewayClassName) ?? ''));
        // The paths through listeners known to admit the route, and apart those through listeners
        // that may: a consumer must not judge the latter as served, nor as not served.
        const groups = [hostsByListener.filter((x) => x.admitted === true), hostsByListener.filter((x) => x.admitted === 'unknown')].filter((g) => g.length > 0);
        for (const group of groups) {
          const hosts = [...new Set(group.flatMap((x) => x.hosts))];
          const listeners = group.map((x) => x.l.name);
          const attachmentUnknown = group[0].admitted === 'unknown' ? unknown : undefined;
          for (const rule of rules) {
            const paths = arr(rule.matches).map((m) => str(obj(obj(m)?.path)?.value)).filter((v): v is string => !!v);
            for (const rawRef of arr(rule.backendRefs)) {
              const b = obj(rawRef);
              if (!b) continue;
              if ((str(b.group) ?? '') !== '' || (str(b.kind) ?? 'Service') !== 'Service') continue;
              const name = str(b.name);
              if (!name) continue;
              const bNs = str(b.namespace) ?? ns;
              if (bNs !== ns && !granted(kind, ns, bNs, name)) {
                notes.push(`${text(route)}: backendRef Service ${bNs}/${name} is in another namespace and no ReferenceGrant there allows ${kind}s from ${ns}; the reference is refused`);
                continue;
              }
              for (const host of hosts) for (const path of paths.length ? paths : ['/']) {
                push({ via: 'Gateway', route, object: r, gateway: refOf('Gateway', gw), listeners, ...(listenerSet ? { listenerSet } : {}), host, path, backend: { namespace: bNs, name, port: portOf(b.port) }, controller, ...(attachmentUnknown ? { attachmentUnknown } : {}) });
              }
            }
          }
        }
      }
      if (!attached && arr(spec.parentRefs).length === 0) notes.push(`${text(route)}: no parentRefs; the route is attached to no Gateway`);
    }
  }

  // Istio Gateway + VirtualService
  const istioGateways = new Map<string, KubeObject>();
  for (const gw of snapshot.resources['istio.gateways'] ?? []) istioGateways.set(`${nsOf(gw)}/${nameOf(gw)}`, gw);
  for (const vs of snapshot.resources['istio.virtualservices'] ?? []) {
    const ns = nsOf(vs);
    const route = refOf('VirtualService', vs);
    const spec = obj(vs.spec) ?? {};
    const hosts = arr(spec.hosts).filter((h): h is string => typeof h === 'string').map(normalizeHost);
    for (const g of arr(spec.gateways).filter((x): x is string => typeof x === 'string')) {
      if (g === 'mesh') continue;
      const gwRef = istioGatewayName(g, ns);
      const [gwNs, gwName] = gwRef.split('/', 2);
      const gw = istioGateways.get(`${gwNs}/${gwName}`);
      if (!gw) {
        notes.push(`${text(route)}: Istio Gateway ${gwNs}/${gwName} not found; the route is not bound there`);
        continue;
      }
      // A VirtualService binds to the Gateway for the hosts some server of it admits ("ns/host": only VirtualServices of that namespace; "*" or "." for any or the Gateway's own).
      // The hosts it answers there are istiod's serverHosts.Intersection(virtualServiceHosts)
      // (istio/istio pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig): for each
      // pair where one covers the other, the more specific one, so a VirtualService host "*" on a
      // server host a.example.com answers a.example.com, and the reverse.
      const servers = arr(obj(gw.spec)?.servers).map((sv) => obj(sv) ?? {});
      const hostsOn = (sv: Json) => {
        const serverHosts = arr(sv.hosts).filter((h): h is string => typeof h === 'string').map((h) => {
          const [scope, host] = h.includes('/') ? h.split('/', 2) : ['*', h];
          return { scope: scope === '.' ? gwNs : scope, host: normalizeHost(host) };
        }).filter((sh) => sh.scope === '*' || sh.scope === ns);
        const out = new Set<string>();
        for (const sh of serverHosts) for (const h of hosts.length ? hosts : ['*']) {
          const both = istioHostIntersection(sh.host, h);
          if (both !== undefined) out.add(both);
        }
        return [...out];
      };
      const boundHosts = [...new Set(servers.flatMap(hostsOn))];
      if (boundHosts.length === 0) {
        notes.push(`${text(route)}: none of its hosts (${hosts.join(', ') || 'none'}) is served by Istio Gateway ${gwNs}/${gwName} for namespace ${ns}; it is not bound there`);
        continue;
      }
      // The servers the VirtualService answers on, and the route entries that apply on one of them.
      const applied = new Set<Json>();
      for (const [i, sv] of servers.entries()) {
        const here = hostsOn(sv);
        if (here.length === 0) continue;
        const forwards = istioForwards(spec, sv, gwRef, ns);
        if (forwards) attachments.push({ gateway: { kind: 'Gateway.networking.istio.io', namespace: gwNs, name: gwName }, server: i, route, hosts: here, forwards });
        const port = obj(sv.port)?.number;
        for (const section of istioSections(sv)) {
          for (const e of arr(spec[section])) {
            const entry = obj(e);
            if (entry && istioRouteApplies(entry, typeof port === 'number' ? port : undefined, gwRef, ns)) applied.add(entry);
          }
        }
      }
      const selector = stringMap(obj(gw.spec)?.selector);
      const controller: EdgeController = { label: `Istio Gateway ${gwNs}/${gwName}`, family: 'istio', workloads: [], selectors: Object.keys(selector).length ? [{ labels: selector }] : [] };
      for (const section of ['http', 'tls', 'tcp'] as const) {
        for (const rawRoute of arr(spec[section])) {
          const hr = obj(rawRoute);
          if (!hr || !applied.has(hr)) continue;
          const paths = arr(hr.match).map((m) => { const u = obj(obj(m)?.uri); return str(u?.prefix) ?? str(u?.exact) ?? str(u?.regex); }).filter((v): v is string => !!v);
          for (const rawDest of arr(hr.route)) {
            const d = obj(obj(rawDest)?.destination);
            const host = str(d?.host);
            if (!host) continue;
            const parts = host.split('.');
            // "svc", "svc.ns", "svc.ns.svc.cluster.local": short names resolve in the VirtualService's namespace.
            const backend = { namespace: parts.length >= 2 ? parts[1] : ns, name: parts[0], port: portOf(obj(d?.port)?.number) };
            if (parts.length > 2 && !/^svc(\.|$)/.test(parts.slice(2).join('.'))) continue; // an external host (ServiceEntry), not a cluster Service
            for (const h of boundHosts) for (const path of paths.length ? paths : ['/']) {
              push({ via: 'IstioGateway', route, object: vs, gateway: { kind: 'Gateway.networking.istio.io', namespace: gwNs, name: gwName }, host: h, path, backend, controller });
            }
          }
        }
      }
    }
  }

  // Traefik IngressRoute (both API groups), served by the Traefiks whose CRD provider takes its class.
  const traefikController = (r: KubeObject): EdgeController | undefined => {
    const providers = traefikCrdProvidersFor(snapshot, r);
    if (providers.length === 0) return undefined;
    const workloads = providers.flatMap((p) => (p.ref ? [p.ref] : []));
    return { label: 'Traefik', family: 'traefik', workloads, selectors: workloads.length > 0 ? [] : TRAEFIK };
  };
  // A route naming an object of another namespace: refused where allowCrossNamespace is off, a
  // note; served where it is not known, a note too (the guards do not count what crosses).
  const traefikCrossRefused = (ir: KubeObject, rr: Json, tcp: boolean, route: ResourceRef): boolean => {
    let known: ReturnType<typeof traefikCrossNamespace> | undefined;
    const crossOf = () => (known ??= traefikCrossNamespace(snapshot, ir));
    const { refs: crossing, tcpCrdKeys } = traefikCrossingRefs(ir, rr, tcp, () => crossOf().otherProviderTlsOption);
    const keys = tcpCrdKeys.length > 0 ? traefikCrossRefusal(snapshot, ir, 'tcpCrdKey') : undefined;
    if ((crossing.length > 0 && crossOf().allowed === false) || keys?.refused === true) {
      const refused = [...(crossOf().allowed === false ? crossing : []), ...(keys?.refused === true ? tcpCrdKeys : [])];
      const since = keys?.refused === true ? `; by its @kubernetescrd key from v2.11.46, v3.6.17 and v3.7.1 on${keys.why === crossOf().why ? '' : `: ${keys.why}`}` : '';
      notes.push(`${text(route)}: it names ${refused.join(', ')}, of another namespace (or by its @kubernetescrd key), which Traefik's kubernetescrd provider refuses without allowCrossNamespace (${crossOf().why}${since}); the route ${JSON.stringify(str(rr.match) ?? '')} is not served`);
      return true;
    }
    if (keys?.refused === undefined && tcpCrdKeys.length > 0) {
      notes.push(`${text(route)}: it names ${tcpCrdKeys.join(', ')} by its @kubernetescrd key, which Traefik refuses without allowCrossNamespace from v2.11.46, v3.6.17 and v3.7.1 on and takes before them; whether this Traefik refuses it is not known (${keys!.why}), so the route ${JSON.stringify(str(rr.match) ?? '')} is counted as served`);
    }
    // Another provider's TLSOption on a Traefik whose release the image tag does not pin down
    // (traefik:v3.6, traefik:v3): refused before v2.11.46, v3.6.17 and v3.7.1 only
    // (traefikCrossingRefs); served, as another unknown allowCrossNamespace leaves a route, and said.
    const options = obj(obj(obj(ir.spec)?.tls)?.options);
    const optionName = str(options?.name);
    const option = optionName ? traefikCrdRef(nsOf(ir), str(options?.namespace), optionName) : undefined;
    if (option?.provider !== undefined && str(options?.namespace) !== nsOf(ir) && crossOf().allowed !== true && crossOf().otherProviderTlsOption === undefined) {
      const cross = crossOf();
      notes.push(`${text(route)}: its tls.options names TLSOption ${option.text} of another provider, which Traefik refuses without allowCrossNamespace before v2.11.46, v3.6.17 and v3.7.1 (taking its namespace as "", not the route's) and takes from them; which release runs is not known (${cross.otherProviderTlsOptionWhy}${cross.allowed === undefined ? `; allowCrossNamespace is not known either: ${cross.why}` : ''}), so the route ${JSON.stringify(str(rr.match) ?? '')} is counted as served`);
    }
    if (crossing.length === 0) return false;
    const cross = crossOf();
    if (cross.allowed === true) return false;
    const what = `it names ${crossing.join(', ')}, of another namespace (or by its @kubernetescrd key)`;
    notes.push(`${text(route)}: ${what}: Traefik serves the route ${JSON.stringify(str(rr.match) ?? '')} only with the kubernetescrd provider's allowCrossNamespace on, which is not known (${cross.why}); it is counted as served`);
    return false;
  };
  const absences = new Map<string, TraefikMiddlewareAbsence | null>();
  for (const key of ['traefik.ingressroutes', 'traefik-legacy.ingressroutes'] as const) {
    for (const ir of snapshot.resources[key] ?? []) {
      const ns = nsOf(ir);
      const route = refOf('IngressRoute', ir);
      const controller = traefikController(ir);
      if (!controller) {
        notes.push(traefikCrdUnserved(snapshot, ir, text(route))!);
        continue;
      }
      // Named entryPoints no Traefik has: every route's router fails (traefikUnattached).
      const unattached = traefikUnattached(traefikEntryPoints(snapshot), traefikNamedEntryPoints(ir, 'IngressRoute'));
      if (unattached) {
        notes.push(`${text(route)}: ${unattached}; its routes are not served`);
        for (const rawRoute of arr(obj(ir.spec)?.routes)) refused.add(rawRoute);
        continue;
      }
      const resolvers: TraefikResolvers = { providers: traefikCrdProvidersFor(snapshot, ir), group: traefikCrdGroupOf(ir), namespace: ns };
      // Without spec.tls, on entryPoints without TLS, every request is plain http: a route
      // redirecting it to https forwards nothing.
      const onlyHttp = !obj(ir.spec)?.tls && traefikRouterOnlyHttp(traefikEntryPoints(snapshot), arr(obj(ir.spec)?.entryPoints).filter((e): e is string => typeof e === 'string'));
      for (const rawRoute of arr(obj(ir.spec)?.routes)) {
        const rr = obj(rawRoute);
        if (!rr) continue;
        const match = str(rr.match) ?? '';
        const hosts = traefikRuleHosts(match);
        const paths = [...match.matchAll(/Path(?:Prefix)?\(\s*[`"']([^`"']+)[`"']/g)].map((m) => m[1]);
        const middlewares = traefikTcpRouteMiddlewares(rr, ns);
        // A Middleware that does not exist fails the router whatever else holds, so it is asked
        // first; one that cannot be confirmed is said only of a route the rest leaves served.
        // Routes of one namespace naming the same Middlewares share one answer.
        const listed = `${providersId(resolvers)}\u0002${ns}\u0000${middlewares.join('\u0000')}`;
        let absent = absences.get(listed);
        if (absent === undefined) {
          const crdRefs = middlewares.flatMap((ref) => {
            const r = traefikRefOf(ref, ns);
            return r.provider === undefined ? [{ key: r.key, text: r.text }] : [];
          });
          absences.set(listed, (absent = traefikMiddlewaresAbsence(snapshot, crdRefs, resolvers) ?? null));
        }
        const absentNote = absent ? traefikAbsenceNote(absent, text(route), `the route ${JSON.stringify(match)} is`) : undefined;
        if (absentNote?.refused) { notes.push(absentNote.note); refused.add(rawRoute); continue; }
        if (traefikCrossRefused(ir, rr, false, route)) { refused.add(rawRoute); continue; }
        const used = middlewares.flatMap((ref) => {
          const r = traefikRefOf(ref, ns);
          const found = r.provider === undefined ? traefikMiddlewaresByKey(snapshot, r.key) : [];
          return found.length === 1 ? [{ ref, mw: found[0] }] : [];
        });
        if (traefikChainRefused(used, ir, route, `the route ${JSON.stringify(match)} is`)) { refused.add(rawRoute); continue; }
        if (absentNote) notes.push(absentNote.note);
        // A route whose middlewares redirect every request to https forwards nothing.
        if (onlyHttp && traefikHttpsRedirect(snapshot, middlewares, ns, text(route), { crd: ir }).redirect) continue;
        for (const rawSvc of arr(rr.services)) {
          const s = obj(rawSvc);
          const name = str(s?.name);
          if (!s || !name || (str(s.kind) ?? 'Service') !== 'Service') continue;
          for (const host of hosts.length ? hosts : ['*']) for (const path of paths.length ? paths : ['/']) {
            push({ via: 'IngressRoute', route, object: ir, host, path, backend: { namespace: str(s.namespace) ?? ns, name, port: portOf(s.port) }, controller, middlewares, match });
          }
        }
      }
    }
  }

  // Traefik IngressRouteTCP (both API groups): TCP routers to Services, by HostSNI; with
  // tls.passthrough the backend terminates TLS
  // (https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/#kind-ingressroutetcp).
  // Their middlewares are MiddlewareTCPs, not HTTP Middlewares; a route Traefik refuses
  // (traefikTcpRouteRefused) is a note.
  for (const key of TRAEFIK_TCP_ROUTE_KEYS) {
    for (const ir of snapshot.resources[key] ?? []) {
      const ns = nsOf(ir);
      const route = refOf('IngressRouteTCP', ir);
      const controller = traefikController(ir);
      if (!controller) {
        notes.push(traefikCrdUnserved(snapshot, ir, text(route))!);
        continue;
      }
      const unattached = traefikUnattached(traefikEntryPoints(snapshot), traefikNamedEntryPoints(ir, 'IngressRouteTCP'));
      if (unattached) {
        notes.push(`${text(route)}: ${unattached}; its routes are not served`);
        for (const rawRoute of arr(obj(ir.spec)?.routes)) refused.add(rawRoute);
        continue;
      }
      const passthrough = obj(obj(ir.spec)?.tls)?.passthrough === true;
      for (const rawRoute of arr(obj(ir.spec)?.routes)) {
        const rr = obj(rawRoute);
        if (!rr) continue;
        if (traefikCrossRefused(ir, rr, true, route)) { refused.add(rawRoute); continue; }
        const tcpRefused = traefikTcpRouteRefused(snapshot, ir, rr);
        if (tcpRefused) {
          notes.push(`${text(route)}: ${tcpRefused}; it is not served`);
          refused.add(rawRoute);
          continue;
        }
        const tcpUnsure = traefikTcpRouteUnconfirmed(snapshot, ir, rr);
        if (tcpUnsure) notes.push(`${text(route)}: ${tcpUnsure}: whether Traefik builds the router cannot be confirmed (it refuses one naming a MiddlewareTCP that does not exist), so it is counted as served`);
        const middlewares = traefikTcpRouteMiddlewares(rr, ns);
        const hosts = traefikRuleSniHosts(str(rr.match) ?? '');
        for (const rawSvc of arr(rr.services)) {
          const s = obj(rawSvc);
          const name = str(s?.name);
          if (!s || !name) continue;
          // A Service of another namespace: Traefik leaves it out of the route's load balancer without
          // allowCrossNamespace (kubernetes_tcp.go createLoadBalancerServerTCP, "tcp service %s/%s is
          // not in the parent resource namespace %s"; the route keeps its other Services and, with
          // none left, names a service that does not exist, so it is not served either).
          const sns = str(s.namespace);
          if (sns && sns !== ns) {
            const cross = traefikCrossNamespace(snapshot, ir);
            if (cross.allowed === false) {
              notes.push(`${text(route)}: its route ${JSON.stringify(str(rr.match) ?? '')} names Service ${sns}/${name}, of another namespace, which Traefik's kubernetescrd provider leaves out without allowCrossNamespace (${cross.why}); it is no backend of the route`);
              continue;
            }
            if (cross.allowed === undefined) notes.push(`${text(route)}: its route ${JSON.stringify(str(rr.match) ?? '')} names Service ${sns}/${name}, of another namespace, which Traefik uses only with the kubernetescrd provider's allowCrossNamespace on, which is not known (${cross.why}); it is counted as a backend`);
          }
          for (const host of hosts.length ? hosts : ['*']) {
            push({ via: 'IngressRouteTCP', route, object: ir, host, path: '', backend: { namespace: str(s.namespace) ?? ns, name, port: portOf(s.port) }, controller, middlewares, match: str(rr.match) ?? '', ...(passthrough ? { tlsPassthrough: true as const } : {}) });
          }
        }
      }
    }
  }

  // Contour HTTPProxy: root proxies (with a virtualhost) are what the edge serves.
  for (const hp of snapshot.resources['contour.httpproxies'] ?? []) {
    const ns = nsOf(hp);
    const route = refOf('HTTPProxy', hp);
    const spec = obj(hp.spec) ?? {};
    const fqdn = str(obj(spec.virtualhost)?.fqdn);
    if (!fqdn) continue;
    const controller: EdgeController = { label: 'Contour', family: 'contour', workloads: [], selectors: CONTOUR_ENVOY };
    if (arr(spec.includes).length > 0) notes.push(`${text(route)}: included HTTPProxies are not followed; only its own routes are modelled`);
    for (const rawRoute of arr(spec.routes)) {
      const rr = obj(rawRoute);
      if (!rr) continue;
      const paths = arr(rr.conditions).map((c) => str(obj(c)?.prefix) ?? str(obj(c)?.exact)).filter((v): v is string => !!v);
      for (const rawSvc of arr(rr.services)) {
        const s = obj(rawSvc);
        const name = str(s?.name);
        if (!name) continue;
        for (const path of paths.length ? paths : ['/']) push({ via: 'HTTPProxy', route, object: hp, host: normalizeHost(fqdn), path, backend: { namespace: ns, name, port: portOf(s?.port) }, controller });
      }
    }
  }
  // A route through listeners known and unknown to admit it is read once per group: one note each.
  return { routes, attachments, notes: [...new Set(notes)], refused, listenerSetParents };
}, ['network', 'tls']);

/** "shop.example.com/api → HTTPRoute shop/api → Service shop/backend:8080", the path as a report shows it. */
export function describeRoute(r: EdgeRoute): string {
  const port = r.backend.port?.number ?? r.backend.port?.name;
  const gw = r.gateway ? ` (Gateway ${r.gateway.namespace}/${r.gateway.name}${r.listenerSet ? ` through ${r.listenerSet.kind} ${r.listenerSet.namespace}/${r.listenerSet.name}` : ''}${r.listeners?.length ? ` listener ${r.listeners.join(',')}` : ''})` : '';
  return `${r.host}${r.path === '' || r.path.startsWith('/') ? '' : ' '}${r.path} → ${r.route.kind} ${r.route.namespace}/${r.route.name}${gw} → Service ${r.backend.namespace}/${r.backend.name}${port !== undefined ? `:${port}` : ''}`;
}
