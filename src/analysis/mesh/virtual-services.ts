// Istio VirtualService routes of sidecar traffic (those bound to the reserved gateway `mesh`): to
// which subsets of a Service a sidecar caller's requests go, so the subset's DestinationRule
// traffic policy (its client TLS above all) is known to apply or not. "Policies specified for
// subsets will not take effect until a route rule explicitly sends traffic to this subset"
// (https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset); istiod
// builds one cluster per subset (outbound|port|subset|host, pilot/pkg/networking/core/cluster_builder.go
// buildSubsetCluster, the subset's policy merged over the rule's) and a route names the cluster.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { hostKeyOf, type HostKey, type ServiceName } from './destination-rules.ts';
import { selectorMatches } from './istio.ts';
import { arr, obj, str, stringMap, type Json } from './util.ts';

/** Where a route sends requests: a host (as written, short names resolved in the VirtualService's namespace), a subset, a port. */
export interface RouteDestination {
  host: string;
  key: HostKey | undefined;
  subset?: string;
  port?: number;
  /** `mirror`/`mirrors`: a copy of the request. */
  mirror?: true;
}

interface RouteMatch {
  gateways: string[];
  sourceLabels: Record<string, string>;
  sourceNamespace?: string;
  port?: number;
  /** Conditions only the request tells (uri, headers, SNI, destination subnets…): the route may or may not take a given call. */
  runtime: boolean;
}

type Section = 'http' | 'tcp' | 'tls';

interface RouteEntry {
  section: Section;
  index: number;
  /** undefined: no match block, the entry takes every call. */
  matches?: RouteMatch[];
  destinations: RouteDestination[];
  delegate?: string;
}

export interface MeshVirtualService {
  ref: ResourceRef;
  namespace: string;
  /** "." replaced by the namespace; empty = every namespace (Istio's default exportTo "*"). */
  exportTo: Set<string>;
  entries: RouteEntry[];
}

const HTTP_RUNTIME = ['scheme', 'method', 'authority', 'headers', 'queryParams', 'withoutHeaders'] as const;

/** A uri match that every path satisfies (prefix "/" or regex ".*", as istiod's IsCatchAllRoute reads it). */
function catchAllUri(uri: unknown): boolean {
  const u = obj(uri);
  return !u || u.prefix === '/' || u.regex === '.*';
}

function readMatch(raw: unknown, section: Section): RouteMatch {
  const m = obj(raw) ?? {};
  const port = m.port;
  let runtime: boolean;
  if (section === 'http') runtime = !catchAllUri(m.uri) || HTTP_RUNTIME.some((k) => m[k] !== undefined && m[k] !== null && (typeof m[k] !== 'object' || Object.keys(m[k] as Json).length > 0));
  else runtime = arr(m.destinationSubnets).length > 0 || (section === 'tls' && arr(m.sniHosts).length > 0);
  return {
    gateways: arr(m.gateways).map(str).filter((g): g is string => !!g),
    sourceLabels: stringMap(m.sourceLabels),
    ...(str(m.sourceNamespace) ? { sourceNamespace: str(m.sourceNamespace) } : {}),
    ...(typeof port === 'number' ? { port } : {}),
    runtime,
  };
}

function readDestination(raw: unknown, vsNamespace: string, mirror = false): RouteDestination | undefined {
  const d = obj(raw);
  const host = str(d?.host);
  if (!d || !host) return undefined;
  const port = obj(d.port)?.number;
  return {
    host, key: hostKeyOf(host.toLowerCase(), vsNamespace),
    ...(str(d.subset) ? { subset: str(d.subset) } : {}),
    ...(typeof port === 'number' ? { port } : {}),
    ...(mirror ? { mirror: true as const } : {}),
  };
}

/** A route's destinations that take traffic: with more than one, those of weight 0 take none. */
function weighted(routes: unknown[], vsNamespace: string): RouteDestination[] {
  const out: RouteDestination[] = [];
  for (const raw of routes) {
    const r = obj(raw);
    if (routes.length > 1 && r?.weight === 0) continue;
    const d = readDestination(r?.destination, vsNamespace);
    if (d) out.push(d);
  }
  return out;
}

export function readMeshVirtualService(vs: KubeObject): MeshVirtualService | undefined {
  const namespace = vs.metadata?.namespace ?? 'default';
  const spec = obj(vs.spec);
  if (!spec) return undefined;
  // Bound to sidecars when spec.gateways is left out or names `mesh`
  // (https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService, gateways).
  const gateways = arr(spec.gateways).map(str);
  if (gateways.length > 0 && !gateways.includes('mesh')) return undefined;
  const entries: RouteEntry[] = [];
  for (const section of ['http', 'tcp', 'tls'] as const) {
    for (const [index, raw] of arr(spec[section]).entries()) {
      const e = obj(raw);
      if (!e) continue;
      const matches = Array.isArray(e.match) && e.match.length > 0 ? e.match.map((m) => readMatch(m, section)) : undefined;
      const destinations = weighted(arr(e.route), namespace);
      if (section === 'http') {
        for (const m of [e.mirror, ...arr(e.mirrors).map((x) => obj(x)?.destination)]) {
          const d = readDestination(m, namespace, true);
          if (d) destinations.push(d);
        }
      }
      const delegate = obj(e.delegate);
      entries.push({ section, index, ...(matches ? { matches } : {}), destinations, ...(delegate ? { delegate: `${str(delegate.namespace) ?? namespace}/${str(delegate.name) ?? ''}` } : {}) });
    }
  }
  const exportTo = new Set(arr(spec.exportTo).map((e) => (str(e) === '.' ? namespace : str(e) ?? '')).filter((e) => e));
  return { ref: { kind: 'VirtualService', namespace, name: vs.metadata?.name ?? '' }, namespace, exportTo, entries };
}

const keyMatches = (key: HostKey | undefined, svc: ServiceName): boolean => {
  if (!key) return false;
  if (key.kind === 'exact') return key.key === `${svc.namespace}/${svc.name}`;
  if (key.kind === 'ns') return key.key === svc.namespace;
  return `${svc.name}.${svc.namespace}.svc.cluster.local`.endsWith(key.suffix);
};

export interface MeshRouteIndex {
  /** The sidecar-bound VirtualServices a client namespace sees whose hosts take the Service. */
  forService: (svc: ServiceName, client: string) => MeshVirtualService[];
}

/**
 * Indexes mesh-bound VirtualServices by the Service their exact hosts name, by namespace for
 * *.ns.svc.<domain>, and keeps wildcard ones apart, so a lookup costs the VirtualServices of one host.
 */
export function indexMeshVirtualServices(virtualServices: KubeObject[]): MeshRouteIndex {
  const byKey = new Map<string, MeshVirtualService[]>();
  const wildcards: Array<{ key: HostKey; vs: MeshVirtualService }> = [];
  const push = (k: string, vs: MeshVirtualService) => {
    const list = byKey.get(k);
    if (!list) byKey.set(k, [vs]);
    else if (!list.includes(vs)) list.push(vs);
  };
  for (const raw of virtualServices) {
    const vs = readMeshVirtualService(raw);
    if (!vs) continue;
    for (const h of arr(obj(raw.spec)?.hosts)) {
      const host = str(h);
      const key = host ? hostKeyOf(host.toLowerCase(), vs.namespace) : undefined;
      if (!key) continue;
      if (key.kind === 'exact') push(`svc\0${key.key}`, vs);
      else if (key.kind === 'ns') push(`ns\0${key.key}`, vs);
      else wildcards.push({ key, vs });
    }
  }
  const visible = (vs: MeshVirtualService, client: string) => vs.exportTo.size === 0 || vs.exportTo.has('*') || vs.exportTo.has(client);
  return {
    forService: (svc, client) => {
      const found = new Set<MeshVirtualService>([...(byKey.get(`svc\0${svc.namespace}/${svc.name}`) ?? []), ...(byKey.get(`ns\0${svc.namespace}`) ?? [])]);
      for (const w of wildcards) if (keyMatches(w.key, svc)) found.add(w.vs);
      return [...found].filter((vs) => visible(vs, client));
    },
  };
}

/** A place a sidecar caller's call to a Service port may be sent. */
export type RouteAlternative =
  | { kind: 'default' }
  | { kind: 'subset'; subset: string; where: string }
  | { kind: 'elsewhere'; where: string };

/** The route sections a Service port's protocol uses: HTTP ports http routes, plain TCP ones tcp routes; TLS or sniffed ports any. */
export type RouteProtocol = 'http' | 'tcp' | 'other';

function matchApplies(m: RouteMatch, section: Section, port: number, client: { namespace: string; labels: Record<string, string> }): boolean {
  if (m.port !== undefined && m.port !== port) return false;
  // http (route.go sourceMatchHTTP): gateways named in the match replace the source checks; tcp and
  // tls (tls.go matchTCP, matchTLS): every condition holds.
  const gatewaysOk = m.gateways.length === 0 || m.gateways.includes('mesh');
  if (section === 'http' && m.gateways.length > 0) return gatewaysOk;
  return gatewaysOk && selectorMatchesOrEmpty(m.sourceLabels, client.labels) && (m.sourceNamespace === undefined || m.sourceNamespace === client.namespace);
}

const selectorMatchesOrEmpty = (sel: Record<string, string>, labels: Record<string, string>) => Object.keys(sel).length === 0 || selectorMatches(sel, labels);

/**
 * Where a VirtualService may send a sidecar caller's call to Service port `port`: the entries whose
 * static conditions (gateways, sourceLabels, sourceNamespace, port: decided per proxy by istiod)
 * take the caller, in order, up to the first that takes every call. A tcp route list without such
 * an entry falls through to the Service's own cluster (tls.go buildSidecarOutboundTCPFilterChainOpts),
 * and so does an http list none of whose entries applies (route.go: no routes, no virtual host); tls
 * routes and sniffed ports are taken to fall through always.
 */
export function routeAlternatives(vs: MeshVirtualService, svc: ServiceName, port: number, protocol: RouteProtocol, client: { namespace: string; labels: Record<string, string> }): RouteAlternative[] {
  const sections: Section[] = protocol === 'http' ? ['http'] : protocol === 'tcp' ? ['tcp'] : ['http', 'tcp', 'tls'];
  const out: RouteAlternative[] = [];
  let fallsThrough = protocol === 'other';
  const name = `${vs.ref.namespace}/${vs.ref.name}`;
  for (const section of sections) {
    let applied = false;
    let terminal = false;
    for (const e of vs.entries.filter((x) => x.section === section)) {
      const taking = e.matches?.filter((m) => matchApplies(m, section, port, client));
      if (taking && taking.length === 0) continue;
      applied = true;
      const where = `VirtualService ${name} ${section}[${e.index}]`;
      if (e.delegate) out.push({ kind: 'elsewhere', where: `${where} delegates to VirtualService ${e.delegate}, which is not followed` });
      for (const d of e.destinations) {
        const what = d.mirror ? 'mirrors' : 'routes';
        if (!keyMatches(d.key, svc)) out.push({ kind: 'elsewhere', where: `${where} ${what} to host ${d.host}` });
        else if (d.port !== undefined && d.port !== port) out.push({ kind: 'elsewhere', where: `${where} ${what} to port ${d.port}` });
        else if (d.subset !== undefined) out.push({ kind: 'subset', subset: d.subset, where: `${where} ${what} to subset ${d.subset}` });
        else out.push({ kind: 'default' });
      }
      if (!taking || taking.some((m) => !m.runtime)) { terminal = true; break; }
    }
    if (section === 'tcp' && !terminal) fallsThrough = true;
    if (section === 'http' && !applied) fallsThrough = true;
  }
  if (fallsThrough) out.push({ kind: 'default' });
  return out;
}
