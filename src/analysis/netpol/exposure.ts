// Who can reach a workload from far away: from outside the cluster (LoadBalancer/NodePort
// Services, Ingress backends) and from every namespace. Feeds report.json and
// `network.exposed-workload`.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { emptyConns, formatConns, intersectConns, isEmptyConns, isProtocol, unionConns, addInterval, type ConnSet } from './conns.ts';
import { ALL_V6, formatRange, type IpRange } from './ip.ts';
import { buildReachability, ingressVerdict, isolationOf, type PodClass, type ReachModel } from './model.ts';
import { cutIpv4 } from './query.ts';

export interface ExternalPath {
  via: 'LoadBalancer' | 'NodePort' | 'Ingress';
  /** The Service (or Ingress) that carries the traffic. */
  through: ResourceRef;
  /** Target (container) ports the path reaches, e.g. "TCP 8080". */
  ports: string;
  /**
   * For LoadBalancer/NodePort: whether the effective policies (every enforced API) admit
   * some external address on those ports. Ingress traffic arrives from the ingress
   * controller's pods, which are not modelled.
   */
  allowedByPolicy: boolean | 'not-evaluated';
}

export interface WorkloadExposure {
  workload: ResourceRef;
  podCount: number;
  external: ExternalPath[];
  /** Ingress admits every pod of every namespace (unisolated, or a rule open to all namespaces). */
  fromAllNamespaces: boolean;
  ingressIsolated: boolean;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  const sel = obj(obj(svc.spec).selector);
  const entries = Object.entries(sel).filter(([, v]) => typeof v === 'string') as Array<[string, string]>;
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function classMatches(cls: PodClass, sel: Record<string, string>): boolean {
  for (const k in sel) if (cls.labels[k] !== sel[k]) return false;
  return true;
}

/** Container ports a Service port reaches on one pod class (targetPort number/name, default = port). */
function targetConns(cls: PodClass, ports: unknown[], onlyPort?: { number?: unknown; name?: unknown }): ConnSet {
  const out = emptyConns();
  for (const raw of ports) {
    const p = obj(raw);
    if (onlyPort && !((onlyPort.number !== undefined && p.port === onlyPort.number) || (onlyPort.name !== undefined && p.name === onlyPort.name))) continue;
    const proto = p.protocol === undefined ? 'TCP' : p.protocol;
    if (!isProtocol(proto)) continue;
    const tp = p.targetPort ?? p.port;
    if (typeof tp === 'number' && tp >= 1 && tp <= 65535) addInterval(out, proto, tp, tp);
    else if (typeof tp === 'string') {
      if (/^\d+$/.test(tp)) addInterval(out, proto, Number(tp), Number(tp));
      else for (const np of cls.namedPorts) if (np.name === tp && np.protocol === proto) addInterval(out, proto, np.port, np.port);
    }
  }
  return out;
}

/** Connections the effective policies admit to `cls` from some address outside the cluster. */
function externalIngress(model: ReachModel, cls: PodClass): ConnSet {
  const ranges: IpRange[] = [];
  for (const p of cls.ingressPolicies) for (const r of p.ingress ?? []) if (r.peers !== 'any') for (const peer of r.peers) if (peer.kind === 'ipBlock') ranges.push(...peer.ranges);
  let total = emptyConns();
  const probes = [...cutIpv4(ranges), ALL_V6];
  for (const piece of probes) {
    total = unionConns(total, ingressVerdict(model, { kind: 'ip', family: piece.family, value: piece.lo, text: formatRange(piece) }, { kind: 'class', cls }).conns);
  }
  return total;
}

/**
 * Whether a pod of every namespace can connect: the class is open to a pod no policy names,
 * or an Allow rule admits any peer, the whole cluster, or every pod of namespaces that
 * together are all namespaces (an Allow-all rule counts even when it is what isolates the pod).
 */
function openToAllNamespaces(model: ReachModel, cls: PodClass, cache: Map<string, boolean>): boolean {
  if (!isEmptyConns(isolationOf(model, cls, 'ingress').openToPods)) return true;
  for (const p of cls.ingressPolicies) {
    for (const r of p.ingress ?? []) {
      if (r.action !== 'Allow') continue;
      if (r.peers === 'any') return true;
      for (const peer of r.peers) {
        if (peer.kind === 'entity' && (peer.entity === 'all' || peer.entity === 'cluster')) return true;
        if (peer.kind !== 'pods' || peer.namespaces.kind !== 'selector' || (peer.pods && !peer.pods.empty) || peer.where || peer.serviceAccounts || peer.serviceAccountNames) continue;
        const sel = peer.namespaces.selector;
        let all = cache.get(sel.key);
        if (all === undefined) {
          // Stops at the first namespace it misses: most selectors name one namespace.
          all = true;
          for (const labels of model.namespaceLabels.values()) if (!sel.matches(labels)) { all = false; break; }
          cache.set(sel.key, all);
        }
        if (all) return true;
      }
    }
  }
  return false;
}

/** Workloads reachable from outside the cluster or from every namespace, sorted by namespace/name. */
export const networkExposure = memoize((snapshot: Snapshot): WorkloadExposure[] => {
  const model = buildReachability(snapshot);
  const byWorkload = new Map<string, WorkloadExposure>();
  const entry = (key: string): WorkloadExposure | undefined => {
    const node = model.workloadByKey.get(key);
    if (!node) return undefined;
    let e = byWorkload.get(key);
    if (!e) {
      e = { workload: node.ref, podCount: node.podCount, external: [], fromAllNamespaces: false, ingressIsolated: node.classes.some((c) => isolationOf(model, c, 'ingress').isolated) };
      byWorkload.set(key, e);
    }
    return e;
  };

  const services = snapshot.resources.services ?? [];
  const svcByName = new Map<string, KubeObject>();
  for (const svc of services) svcByName.set(`${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`, svc);

  const addPath = (svc: KubeObject, via: ExternalPath['via'], through: ResourceRef, onlyPort?: { number?: unknown; name?: unknown }) => {
    const sel = selectorOf(svc);
    const ns = svc.metadata?.namespace ?? 'default';
    const ports = Array.isArray(obj(svc.spec).ports) ? (obj(svc.spec).ports as unknown[]) : [];
    if (!sel) return;
    const perWorkload = new Map<string, { conns: ConnSet; allowed: ConnSet }>();
    for (const cls of model.classesByNamespace.get(ns) ?? []) {
      if (!classMatches(cls, sel)) continue;
      const target = targetConns(cls, ports, onlyPort);
      const allowed = via === 'Ingress' ? emptyConns() : intersectConns(target, externalIngress(model, cls));
      for (const wk of cls.workloads) {
        const cur = perWorkload.get(wk) ?? { conns: emptyConns(), allowed: emptyConns() };
        perWorkload.set(wk, { conns: unionConns(cur.conns, target), allowed: unionConns(cur.allowed, allowed) });
      }
    }
    for (const [wk, { conns, allowed }] of perWorkload) {
      const e = entry(wk);
      if (!e) continue;
      e.external.push({
        via,
        through,
        ports: isEmptyConns(conns) ? 'none resolved' : formatConns(conns),
        allowedByPolicy: via === 'Ingress' ? 'not-evaluated' : !isEmptyConns(allowed),
      });
    }
  };

  for (const svc of services) {
    const type = obj(svc.spec).type;
    if (type !== 'LoadBalancer' && type !== 'NodePort') continue;
    addPath(svc, type, { kind: 'Service', namespace: svc.metadata?.namespace ?? 'default', name: svc.metadata?.name ?? '' });
  }

  for (const ing of snapshot.resources.ingresses ?? []) {
    const ns = ing.metadata?.namespace ?? 'default';
    const spec = obj(ing.spec);
    const backends: unknown[] = [spec.defaultBackend];
    for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
      const paths = obj(obj(rule).http).paths;
      for (const p of Array.isArray(paths) ? paths : []) backends.push(obj(p).backend);
    }
    for (const b of backends) {
      const svcRef = obj(obj(b).service);
      if (typeof svcRef.name !== 'string') continue;
      const svc = svcByName.get(`${ns}/${svcRef.name}`);
      if (!svc) continue;
      const port = obj(svcRef.port);
      addPath(svc, 'Ingress', { kind: 'Ingress', namespace: ns, name: ing.metadata?.name ?? '' }, { number: port.number, name: port.name });
    }
  }

  const cache = new Map<string, boolean>();
  for (const node of model.workloads) {
    if (!node.classes.some((c) => openToAllNamespaces(model, c, cache))) continue;
    const e = entry(node.key);
    if (e) e.fromAllNamespaces = true;
  }
  const key = (w: WorkloadExposure) => `${w.workload.namespace ?? ''}/${w.workload.name}/${w.workload.kind}`;
  return [...byWorkload.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
});
