// The reachability model: pods folded into equivalence classes (namespace + labels + named
// container ports + hostNetwork) so that every question costs per distinct class, not per
// pod pair; each class knows the policies that isolate it in each direction.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { workloadsOf, type PodView } from '../workloads.ts';
import { allConns, emptyConns, isProtocol, unionConns, addInterval, isEmptyConns, type ConnSet, type Protocol } from './conns.ts';
import { type Family, rangeContains } from './ip.ts';
import { parsePolicy, type ParsedPolicy, type Peer, type PolicyRule } from './policy.ts';

export interface NamedPort {
  name: string;
  protocol: Protocol;
  port: number;
}

export interface PodClass {
  id: number;
  namespace: string;
  labels: Record<string, string>;
  namedPorts: NamedPort[];
  hostNetwork: boolean;
  /** spec.serviceAccountName ("default" when unset) and that ServiceAccount's labels. */
  serviceAccount: string;
  serviceAccountLabels: Record<string, string>;
  /** Keys of the workloads with pods in this class. */
  workloads: string[];
  podCount: number;
  /** Valid policies selecting this class with Ingress (resp. Egress) in their effective types. */
  ingressPolicies: ParsedPolicy[];
  egressPolicies: ParsedPolicy[];
}

export interface WorkloadNode {
  /** "namespace/Kind/name". */
  key: string;
  ref: ResourceRef;
  classes: PodClass[];
  podCount: number;
  origin: PodView['origin'];
}

export interface ReachModel {
  /** Every NetworkPolicy, valid or not (invalid ones carry errors and are left out of evaluation). */
  policies: ParsedPolicy[];
  classes: PodClass[];
  classesByNamespace: Map<string, PodClass[]>;
  workloads: WorkloadNode[];
  workloadByKey: Map<string, WorkloadNode>;
  namespaceLabels: Map<string, Record<string, string>>;
  /** Every policy of a namespace (valid or not). */
  policiesByNamespace: Map<string, ParsedPolicy[]>;
  /** Classes selected by each valid policy (by policy id). */
  selectedBy: Map<string, PodClass[]>;
}

export type Endpoint =
  | { kind: 'class'; cls: PodClass }
  | { kind: 'ip'; family: Family; value: bigint; text: string };

export interface RuleRef {
  policy: string;
  rule: number;
}

export interface DirectionVerdict {
  isolated: boolean;
  conns: ConnSet;
  /** Rules that allow some of `conns`, each with what it allows (empty when not isolated). */
  decidedBy: Array<RuleRef & { conns: ConnSet }>;
  /** Policies that isolate the pod in this direction. */
  policies: string[];
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Named container ports of a pod spec (containers and restartable init "sidecar" containers). */
export function namedPortsOf(spec: Record<string, unknown>): NamedPort[] {
  const out: NamedPort[] = [];
  const lists = [spec.containers, Array.isArray(spec.initContainers) ? spec.initContainers.filter((c: { restartPolicy?: unknown }) => c?.restartPolicy === 'Always') : []];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const ports = (c as { ports?: unknown })?.ports;
      if (!Array.isArray(ports)) continue;
      for (const p of ports) {
        if (!p || typeof p !== 'object') continue;
        const { name, containerPort, protocol } = p as Record<string, unknown>;
        const proto = protocol === undefined ? 'TCP' : protocol;
        if (typeof name !== 'string' || !name || typeof containerPort !== 'number' || !isProtocol(proto)) continue;
        out.push({ name, protocol: proto, port: containerPort });
      }
    }
  }
  return out.sort((a, b) => (a.name + a.protocol + a.port).localeCompare(b.name + b.protocol + b.port));
}

function classKey(namespace: string, labels: Record<string, string>, ports: NamedPort[], hostNetwork: boolean, serviceAccount: string): string {
  const l = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0001');
  const p = ports.map((x) => `${x.name}/${x.protocol}/${x.port}`).join('\u0001');
  return `${namespace}\u0000${l}\u0000${p}\u0000${hostNetwork ? 1 : 0}\u0000${serviceAccount}`;
}

export function workloadKey(ref: ResourceRef): string {
  return `${ref.namespace ?? ''}/${ref.kind}/${ref.name}`;
}

export const buildReachability = memoize((snapshot: Snapshot): ReachModel => {
  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const n of snapshot.resources.namespaces ?? []) {
    const name = n.metadata?.name;
    if (typeof name === 'string') namespaceLabels.set(name, { 'kubernetes.io/metadata.name': name, ...stringRecord(n.metadata?.labels) });
  }

  const classByKey = new Map<string, PodClass>();
  const classes: PodClass[] = [];
  const classesByNamespace = new Map<string, PodClass[]>();
  const workloads: WorkloadNode[] = [];
  const workloadByKey = new Map<string, WorkloadNode>();

  for (const w of workloadsOf(snapshot)) {
    if (w.pods.length === 0) continue;
    const key = workloadKey(w.ref);
    const node: WorkloadNode = { key, ref: w.ref, classes: [], podCount: w.podCount, origin: w.pods[0].origin };
    const perPodCount = w.pods.length === w.podCount ? 1 : w.podCount / w.pods.length;
    for (const pod of w.pods) {
      const ns = pod.namespace;
      if (!namespaceLabels.has(ns)) namespaceLabels.set(ns, { 'kubernetes.io/metadata.name': ns });
      const ports = namedPortsOf(pod.spec);
      const hostNetwork = pod.spec.hostNetwork === true;
      const sa = typeof pod.spec.serviceAccountName === 'string' && pod.spec.serviceAccountName ? pod.spec.serviceAccountName : typeof pod.spec.serviceAccount === 'string' && pod.spec.serviceAccount ? pod.spec.serviceAccount : 'default';
      const ck = classKey(ns, pod.labels, ports, hostNetwork, sa);
      let cls = classByKey.get(ck);
      if (!cls) {
        cls = { id: classes.length, namespace: ns, labels: pod.labels, namedPorts: ports, hostNetwork, serviceAccount: sa, serviceAccountLabels: {}, workloads: [], podCount: 0, ingressPolicies: [], egressPolicies: [] };
        classByKey.set(ck, cls);
        classes.push(cls);
        let list = classesByNamespace.get(ns);
        if (!list) classesByNamespace.set(ns, (list = []));
        list.push(cls);
      }
      cls.podCount += perPodCount;
      if (cls.workloads[cls.workloads.length - 1] !== key && !cls.workloads.includes(key)) cls.workloads.push(key);
      if (!node.classes.includes(cls)) node.classes.push(cls);
    }
    workloads.push(node);
    workloadByKey.set(key, node);
  }

  const policies = (snapshot.resources.networkpolicies ?? []).map(parsePolicy);
  const selectedBy = new Map<string, PodClass[]>();
  const policiesByNamespace = new Map<string, ParsedPolicy[]>();
  for (const p of policies) {
    let list = policiesByNamespace.get(p.namespace);
    if (!list) policiesByNamespace.set(p.namespace, (list = []));
    list.push(p);
    if (p.errors.length) continue;
    const selected = (classesByNamespace.get(p.namespace) ?? []).filter((c) => p.podSelector.matches(c.labels));
    selectedBy.set(p.id, selected);
    for (const c of selected) {
      if (p.ingressType) c.ingressPolicies.push(p);
      if (p.egressType) c.egressPolicies.push(p);
    }
  }
  return { policies, classes, classesByNamespace, workloads, workloadByKey, namespaceLabels, policiesByNamespace, selectedBy };
});

/** Whether a peer of a policy in `policyNs` matches the endpoint. ipBlocks match only non-pod addresses. */
export function peerMatches(model: ReachModel, peer: Peer, policyNs: string, ep: Endpoint): boolean {
  if (peer.kind === 'ipBlock') {
    if (ep.kind !== 'ip') return false;
    return peer.ranges.some((r) => rangeContains(r, ep.family, ep.value));
  }
  if (ep.kind !== 'class') return false;
  const cls = ep.cls;
  if (peer.namespaceSelector) {
    if (!peer.namespaceSelector.empty && !peer.namespaceSelector.matches(model.namespaceLabels.get(cls.namespace) ?? {})) return false;
  } else if (cls.namespace !== policyNs) return false;
  return !peer.podSelector || peer.podSelector.matches(cls.labels);
}

/** Connections a rule's ports allow toward `dst`; named ports resolve on the destination pod. */
export function rulePortConns(rule: PolicyRule, dst: Endpoint): ConnSet {
  if (rule.ports === 'any') return allConns();
  const out = emptyConns();
  for (const p of rule.ports) {
    if (p.kind === 'all') addInterval(out, p.protocol, 1, 65535);
    else if (p.kind === 'range') addInterval(out, p.protocol, p.lo, p.hi);
    else if (dst.kind === 'class') {
      for (const np of dst.cls.namedPorts) if (np.name === p.name && np.protocol === p.protocol) addInterval(out, p.protocol, np.port, np.port);
    }
  }
  return out;
}

function evaluateRules(model: ReachModel, policies: ParsedPolicy[], dir: 'ingress' | 'egress', peer: Endpoint, dst: Endpoint): DirectionVerdict {
  if (policies.length === 0) return { isolated: false, conns: allConns(), decidedBy: [], policies: [] };
  let conns = emptyConns();
  const decidedBy: Array<RuleRef & { conns: ConnSet }> = [];
  for (const p of policies) {
    for (const rule of p[dir]) {
      if (rule.peers !== 'any' && !rule.peers.some((x) => peerMatches(model, x, p.namespace, peer))) continue;
      const c = rulePortConns(rule, dst);
      if (isEmptyConns(c)) continue;
      conns = unionConns(conns, c);
      decidedBy.push({ policy: p.id, rule: rule.index, conns: c });
    }
  }
  return { isolated: true, conns, decidedBy, policies: policies.map((p) => p.id) };
}

/** What the source's egress policies allow toward `dst` (external sources are not governed). */
export function egressVerdict(model: ReachModel, src: Endpoint, dst: Endpoint): DirectionVerdict {
  if (src.kind !== 'class') return { isolated: false, conns: allConns(), decidedBy: [], policies: [] };
  return evaluateRules(model, src.cls.egressPolicies, 'egress', dst, dst);
}

/** What the destination's ingress policies allow from `src` (external destinations are not governed). */
export function ingressVerdict(model: ReachModel, src: Endpoint, dst: Endpoint): DirectionVerdict {
  if (dst.kind !== 'class') return { isolated: false, conns: allConns(), decidedBy: [], policies: [] };
  return evaluateRules(model, dst.cls.ingressPolicies, 'ingress', src, dst);
}
