// What to probe, and probe results as check subjects: the object that exposed the endpoint
// (parsed from the probe's origin "Kind/namespace/name") with the SNI and port as detail key, or
// the endpoint itself when no object exposed it.
import type { AuditContext } from '../context.ts';
import { SEVERITY_WEIGHT, type ResourceRef, type Severity, type Verdict } from '../../base/vocabulary.ts';
import type { Config } from '../../config/types.ts';
import type { KubeObject, Snapshot, TlsProbeResult } from '../../snapshot/types.ts';
import { arr, obj, str, stringMap } from '../mesh/util.ts';
import { gatewayListeners } from '../edge/listener-sets.ts';
import { groupOf } from '../../snapshot/kinds.ts';
import { normalizeHost } from './hosts.ts';
import { istioServerTls } from './istio.ts';

export type ProbeEndpoint = TlsProbeResult['endpoint'];

/**
 * The subject of a probe result. An object's endpoint is keyed by SNI and port, not by the
 * load-balancer address it was reached at: the address is the cloud's to change, and a finding
 * keyed by it would come back as new (and the old one resolved) each time it does (DESIGN.md: a
 * fingerprint is stable across runs). The address stays in the label, so in the message. An
 * endpoint no object exposed (tls.probe.endpoints) is its own subject, address and all.
 */
export function probeSubject(p: TlsProbeResult): { resource: ResourceRef; detailKey: string; label: string } {
  const ep = p.endpoint;
  const label = `${ep.sni && ep.sni !== ep.host ? `${ep.sni}@` : ''}${ep.host}:${ep.port}`;
  const m = /^([^/]+)\/([^/]*)\/([^/]+)$/.exec(ep.origin ?? '');
  if (m) return { resource: { kind: m[1], namespace: m[2] || undefined, name: m[3] }, detailKey: `${ep.sni ?? ''}:${ep.port}`, label };
  return { resource: { kind: 'TLSEndpoint', name: label }, detailKey: label, label };
}

const rank = (v: Verdict, dflt: Severity): number => (v.status === 'fail' ? 10 + SEVERITY_WEIGHT[v.severity ?? dflt] : 0);

/**
 * One verdict per subject of probe verdicts: an object reached at several load-balancer addresses
 * (probeSubject keys it by SNI and port) keeps its worst result, a failure before a pass and the
 * higher severity first (`dflt` being the check's), with the other addresses in its evidence.
 */
export function worstPerProbeSubject(results: Array<{ verdict: Verdict; label: string }>, dflt: Severity): Verdict[] {
  const kept = new Map<string, { v: Verdict; others: string[] }>();
  const keyOf = (v: Verdict) => JSON.stringify([v.resource.kind, v.resource.namespace ?? '', v.resource.name, v.detailKey ?? '']);
  const labels = new Map<Verdict, string>();
  for (const { verdict: v, label } of results) {
    labels.set(v, label);
    const k = keyOf(v);
    const seen = kept.get(k);
    if (!seen) kept.set(k, { v, others: [] });
    else if (rank(v, dflt) > rank(seen.v, dflt)) kept.set(k, { v, others: [...seen.others, labels.get(seen.v)!] });
    else seen.others.push(label);
  }
  return [...kept.values()].map(({ v, others }) => (others.length ? { ...v, evidence: { ...v.evidence, alsoProbedAt: others } } : v));
}

/**
 * Whether an endpoint was found in the cluster and is reached without SNI: a LoadBalancer
 * Service probed at an address of its status.loadBalancer.ingress (probeTargets gives every other
 * found endpoint the host it serves as SNI). That address, an IP or a DNS name (a "hostname ... set
 * for load-balancer ingress points that are DNS based (typically AWS load-balancers)", Kubernetes
 * API reference, LoadBalancerIngress), is the cloud's, not a name the service's clients use
 * (they reach it through their own DNS records pointing there), so no certificate is expected to
 * name it. Configured endpoints (tls.probe.endpoints) are the operator's own and never this.
 */
export function reachedAtLoadBalancerAddress(ep: ProbeEndpoint): boolean {
  return ep.sni === undefined && ep.origin !== 'config';
}

export function hasProbes(ctx: AuditContext): boolean {
  return (ctx.snapshot.probes?.length ?? 0) > 0;
}

function lbAddresses(o: { status?: unknown }): string[] {
  const st = o.status as { loadBalancer?: { ingress?: Array<{ ip?: unknown; hostname?: unknown }> } } | undefined;
  const list = Array.isArray(st?.loadBalancer?.ingress) ? st!.loadBalancer!.ingress! : [];
  return list.flatMap((i) => [i?.ip, i?.hostname]).filter((x): x is string => typeof x === 'string' && x.length > 0);
}

export interface ProbePlan {
  targets: ProbeEndpoint[];
  /** What was found but left out, and why (run notes). */
  notes: string[];
}

/**
 * What to probe: TLS hosts of Ingresses at their load-balancer addresses (SNI = host),
 * LoadBalancer Services on 443/8443, the hosts of Istio Gateway servers that pass TLS through at
 * their gateway Service's address (SNI = host; addIstioPassthrough), and config.tls.probe.endpoints.
 *
 * An Ingress without an address in its status is not probed: its host names are whatever
 * the Ingress's author wrote, and probing a name connects from the auditor's network
 * position to wherever it resolves (localhost, the cloud metadata service, any in-cluster
 * service), with the certificate found there copied into the report. The addresses in
 * status come from the controller or the cloud, and the author's host is then only the SNI
 * sent to them. The operator names other endpoints in tls.probe.endpoints.
 *
 * At most tls.probe.maxTargets endpoints found in the cluster are probed, taken in turn
 * from each namespace so that one namespace's Ingresses cannot crowd out the rest; the
 * configured endpoints always are.
 */
export function probeTargets(snapshot: Snapshot, config: Config): ProbePlan {
  const found = new Map<string, ProbeEndpoint>();
  const key = (ep: ProbeEndpoint) => `${ep.host}|${ep.port}|${ep.sni ?? ''}`;
  const add = (ep: ProbeEndpoint) => {
    if (!found.has(key(ep))) found.set(key(ep), ep);
  };
  const unpublished: string[] = [];
  for (const ing of snapshot.resources.ingresses ?? []) {
    const spec = (ing.spec ?? {}) as { rules?: unknown; tls?: unknown };
    const tlsHosts = (Array.isArray(spec.tls) ? spec.tls : []).flatMap((t: { hosts?: unknown }) => (Array.isArray(t?.hosts) ? t.hosts : [])).filter((h: unknown): h is string => typeof h === 'string');
    const hosts = (Array.isArray(spec.rules) ? spec.rules : []).map((r: { host?: unknown }) => r?.host).filter((h: unknown): h is string => typeof h === 'string' && !h.startsWith('*'));
    const origin = `Ingress/${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`;
    const addrs = lbAddresses(ing);
    // ingressTlsHostCovers as set lookups: one Ingress may list thousands of hosts.
    const covered = new Set(tlsHosts.map(normalizeHost));
    for (const host of new Set(hosts)) {
      const h = normalizeHost(host);
      const dot = h.indexOf('.');
      if (!covered.has(h) && !(dot > 0 && covered.has(`*${h.slice(dot)}`))) continue;
      if (addrs.length === 0) unpublished.push(origin);
      for (const a of addrs) add({ host: a, port: 443, sni: host, origin });
    }
  }
  for (const svc of snapshot.resources.services ?? []) {
    const spec = (svc.spec ?? {}) as { type?: unknown; ports?: unknown };
    if (spec.type !== 'LoadBalancer') continue;
    const origin = `Service/${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p: { port?: unknown }) => p?.port).filter((p: unknown): p is number => p === 443 || p === 8443);
    for (const a of lbAddresses(svc)) for (const port of ports) add({ host: a, port, origin });
  }
  addIstioPassthrough(snapshot, add);
  for (const l of gatewayPassthroughListeners(snapshot)) {
    if (l.hostname === undefined || l.hostname.includes('*')) continue;
    const origin = l.listenerSet ? `${l.listenerSet.kind}.${l.listenerSet.group}/${l.listenerSet.namespace}/${l.listenerSet.name}` : `Gateway.gateway.networking.k8s.io/${l.namespace}/${l.gateway}`;
    for (const a of l.addresses) add({ host: a, port: l.port, sni: l.hostname, origin });
  }
  const notes: string[] = [];
  if (unpublished.length > 0) {
    const ingresses = new Set(unpublished);
    notes.push(`TLS probe: ${unpublished.length} host(s) of ${ingresses.size} Ingress(es) without a load-balancer address in their status not probed (${[...ingresses].slice(0, 3).join(', ')}${ingresses.size > 3 ? ', …' : ''}): a host name alone is the Ingress author's to choose; list the endpoint in tls.probe.endpoints to probe it`);
  }
  const all = [...found.values()];
  const kept = takeInTurns(all, config.tls.probe.maxTargets);
  if (kept.size < all.length) {
    notes.push(`TLS probe: ${all.length - kept.size} of ${all.length} endpoint(s) found in the cluster not probed: tls.probe.maxTargets is ${config.tls.probe.maxTargets} (taken in turn from each namespace)`);
  }
  const targets = all.filter((ep) => kept.has(ep));
  const taken = new Set(targets.map(key));
  for (const e of config.tls.probe.endpoints) {
    const ep: ProbeEndpoint = { host: e.host, port: e.port, ...(e.sni ? { sni: e.sni } : {}), origin: 'config' };
    if (!taken.has(key(ep))) targets.push(ep);
    taken.add(key(ep));
  }
  return { targets, notes };
}

/**
 * Istio Gateway servers that pass TLS through (tls.mode PASSTHROUGH, the default, or
 * AUTO_PASSTHROUGH): the gateway's filter chains match on SNI (istio/api gateway.proto: the
 * server's hosts become the chain's server_names; pilot's gateway listener sets sniHosts), so only
 * a handshake naming one of its hosts reaches the backend that decides the TLS version. Each
 * host (not a wildcard; "namespace/host" read as host) is probed as SNI at the load-balancer
 * address of every LoadBalancer Service that selects the gateway's pods (its selector holds all of
 * the Gateway's spec.selector labels), on the Service port that is, or targets, the server's port.
 */
function addIstioPassthrough(snapshot: Snapshot, add: (ep: ProbeEndpoint) => void): void {
  const gateways = snapshot.resources['istio.gateways'] ?? [];
  if (gateways.length === 0) return;
  // LoadBalancer Services with an address, by each label of their selector: a Gateway looks up its first label only.
  const byLabel = new Map<string, KubeObject[]>();
  for (const svc of snapshot.resources.services ?? []) {
    if (str(obj(svc.spec)?.type) !== 'LoadBalancer' || lbAddresses(svc).length === 0) continue;
    for (const [k, v] of Object.entries(stringMap(obj(svc.spec)?.selector))) {
      const l = byLabel.get(`${k}=${v}`) ?? [];
      l.push(svc);
      byLabel.set(`${k}=${v}`, l);
    }
  }
  for (const gw of gateways) {
    const selector = Object.entries(stringMap(obj(gw.spec)?.selector));
    if (selector.length === 0) continue;
    const services = (byLabel.get(`${selector[0][0]}=${selector[0][1]}`) ?? []).filter((svc) => {
      const sel = stringMap(obj(svc.spec)?.selector);
      return selector.every(([k, v]) => sel[k] === v);
    });
    if (services.length === 0) continue;
    const origin = `Gateway.networking.istio.io/${gw.metadata?.namespace ?? 'default'}/${gw.metadata?.name ?? ''}`;
    for (const server of arr(obj(gw.spec)?.servers).map(obj)) {
      // A plain-HTTP server (protocol HTTP or HTTP2, or a tls block holding only httpsRedirect)
      // answers no TLS handshake: probing it would spend a tls.probe.maxTargets slot on nothing.
      const tls = istioServerTls(server);
      const mode = (str(tls?.mode) ?? 'PASSTHROUGH').toUpperCase();
      const protocol = str(obj(server?.port)?.protocol)?.toUpperCase();
      if (!tls || protocol === 'HTTP' || protocol === 'HTTP2' || (mode !== 'PASSTHROUGH' && mode !== 'AUTO_PASSTHROUGH')) continue;
      const number = obj(server?.port)?.number;
      if (typeof number !== 'number') continue;
      const hosts = new Set(arr(server?.hosts).filter((h): h is string => typeof h === 'string').map((h) => h.slice(h.indexOf('/') + 1)).filter((h) => h !== '' && !h.includes('*')));
      for (const svc of services) {
        const ports = arr(obj(svc.spec)?.ports).map(obj).filter((p) => p?.port === number || p?.targetPort === number).map((p) => p!.port).filter((p): p is number => typeof p === 'number');
        for (const a of lbAddresses(svc)) for (const port of new Set(ports)) for (const host of hosts) add({ host: a, port, sni: host, origin });
      }
    }
  }
}

/** A Gateway API listener that passes TLS through to its TLSRoute backends. */
export interface GatewayPassthroughListener {
  namespace: string;
  gateway: string;
  listener: string;
  port: number;
  /** spec.listeners[].hostname; undefined matches every SNI name. */
  hostname?: string;
  /** The Gateway's status.addresses values (IPAddress or Hostname). */
  addresses: string[];
  /** The Gateway API ListenerSet holding the listener, when it is not the Gateway's own (its listeners are bound to the Gateway's addresses). */
  listenerSet?: { kind: string; group: string; namespace: string; name: string };
}

/**
 * Gateway API listeners of protocol TLS whose tls.mode is Passthrough (the default is Terminate):
 * "the TLS session is not terminated by the Gateway" and the backend decides the TLS version
 * (https://gateway-api.sigs.k8s.io/reference/spec/#tlsmodetype; gateway-api apis/v1
 * gateway_types.go GatewayTLSConfig.Mode). A Passthrough listener routes on SNI alone, so its
 * hostname sent as SNI to an address of the Gateway's status reaches that backend.
 */
export function gatewayPassthroughListeners(snapshot: Snapshot): GatewayPassthroughListener[] {
  const out: GatewayPassthroughListener[] = [];
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const addresses = arr(obj(gw.status)?.addresses).map((a) => str(obj(a)?.value)).filter((v): v is string => !!v);
    // The ListenerSets' listeners too: "Listeners define logical endpoints that are bound on this
    // referenced parent Gateway's addresses" (gateway-api apis/v1/listenerset_types.go ListenerSetSpec.Listeners).
    for (const { listener: l, listenerSet, holder } of gatewayListeners(snapshot, gw)) {
      if ((str(l.protocol) ?? '').toUpperCase() !== 'TLS' || str(obj(l.tls)?.mode) !== 'Passthrough') continue;
      const port = l.port;
      const hostname = str(l.hostname);
      const set = listenerSet ? { listenerSet: { kind: listenerSet.kind, group: groupOf(holder.apiVersion ?? ''), namespace: listenerSet.namespace ?? 'default', name: listenerSet.name } } : {};
      out.push({ namespace: gw.metadata?.namespace ?? 'default', gateway: gw.metadata?.name ?? '', listener: str(l.name) ?? '', port: typeof port === 'number' ? port : 443, ...(hostname ? { hostname } : {}), addresses, ...set });
    }
  }
  return out;
}

/** Up to `limit` endpoints: the first of each namespace, then the second of each, and so on. */
function takeInTurns(endpoints: ProbeEndpoint[], limit: number): Set<ProbeEndpoint> {
  if (endpoints.length <= limit) return new Set(endpoints);
  const byNamespace = new Map<string, ProbeEndpoint[]>();
  for (const ep of endpoints) {
    const ns = ep.origin.split('/')[1] ?? '';
    const list = byNamespace.get(ns) ?? [];
    list.push(ep);
    byNamespace.set(ns, list);
  }
  const kept = new Set<ProbeEndpoint>();
  for (let round = 0; kept.size < limit; round++) {
    for (const list of byNamespace.values()) {
      if (kept.size >= limit) break;
      const ep = list[round];
      if (ep) kept.add(ep);
    }
  }
  return kept;
}
